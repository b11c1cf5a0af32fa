import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.js';
import type { MacroDto } from '../../api/types.js';
import { EmptyState, ErrorNotice } from '../../ui/notice.js';

/** Create a macro, or edit one when `macro` is given. */
const MacroForm = ({ macro, onDone }: { macro?: MacroDto; onDone?: () => void }) => {
  const client = useQueryClient();
  const [name, setName] = useState(macro?.name ?? '');
  const [body, setBody] = useState(macro?.body ?? 'Hi {{customer.name}}, ');
  const save = useMutation({
    mutationFn: () => (macro ? api.put(`/macros/${encodeURIComponent(macro.id)}`, { name, body, variants: macro.variants }) : api.post('/macros', { name, body })),
    onSuccess: async () => {
      if (!macro) {
        setName('');
        setBody('Hi {{customer.name}}, ');
      }
      await client.invalidateQueries({ queryKey: ['macros'] });
      onDone?.();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const title = macro ? `Edit ${macro.name}` : 'Add a macro';
  return (
    <form className={macro ? 'macro-form' : 'card new-item macro-form'} onSubmit={submit} aria-label={title}>
      {macro ? null : <h2>{title}</h2>}
      <label className="field">
        <span>Macro name</span>
        <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label className="field">
        <span>Text (variables in double braces)</span>
        <textarea required rows={3} maxLength={20_000} value={body} onChange={(e) => setBody(e.target.value)} />
      </label>
      <button type="submit" className="btn btn-primary" disabled={save.isPending}>
        {macro ? 'Save macro' : 'Add macro'}
      </button>
      {save.error ? <ErrorNotice error={save.error} /> : null}
    </form>
  );
};

const MacroItem = ({ m }: { m: MacroDto }) => {
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const remove = useMutation({ mutationFn: () => api.delete(`/macros/${encodeURIComponent(m.id)}`), onSuccess: () => client.invalidateQueries({ queryKey: ['macros'] }) });
  return (
    <li className="card">
      <h3>{m.name}</h3>
      {editing ? <MacroForm macro={m} onDone={() => setEditing(false)} /> : <p className="message-text">{m.body}</p>}
      {Object.keys(m.variants).length ? <p className="muted">Channel variants: {Object.keys(m.variants).join(', ')}</p> : null}
      <div className="button-row">
        <button type="button" className="btn btn-small" onClick={() => setEditing(!editing)}>
          {editing ? 'Cancel' : `Edit ${m.name}`}
        </button>
        <button type="button" className="btn btn-small" disabled={remove.isPending} onClick={() => remove.mutate()}>
          Delete {m.name}
        </button>
      </div>
      {remove.error ? <ErrorNotice error={remove.error} /> : null}
    </li>
  );
};

/** Saved replies agents and rules send; variables are filled per conversation and channel. */
export const MacrosSettings = () => {
  const macros = useQuery({ queryKey: ['macros'], queryFn: () => api.get<{ items: MacroDto[] }>('/macros').then((r) => r.items) });
  return (
    <section aria-label="Macros">
      <MacroForm />
      {macros.error ? <ErrorNotice error={macros.error} onRetry={() => void macros.refetch()} /> : null}
      {macros.data?.length === 0 ? <EmptyState title="No macros yet">Add the answers your team gives most often.</EmptyState> : null}
      <ul className="plain-list">
        {(macros.data ?? []).map((m) => (
          <MacroItem key={m.id} m={m} />
        ))}
      </ul>
    </section>
  );
};
