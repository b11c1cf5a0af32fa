import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { api, isApiError } from '../../api/client.js';
import { useChannels, useUsers } from '../../api/queries.js';
import type { ConversationDto } from '../../api/types.js';
import type { ConversationOperationDto } from '../../../shared/api.js';
import { navigate } from '../../routes/router.js';
import { ErrorNotice } from '../../ui/notice.js';
import { formatDateTime } from '../../ui/time.js';
import { useSession } from '../auth/session.js';
import { customer360Key, type Customer360 } from '../customer/customer-query.js';
import { showUndo } from './undo-toast.js';

const refresh = async (client: ReturnType<typeof useQueryClient>, ids: string[]) => {
  await client.invalidateQueries({ queryKey: ['conversations'] });
  await client.invalidateQueries({ queryKey: ['customer-360'] });
  for (const id of ids) await client.invalidateQueries({ queryKey: ['conversation', id] });
};

const closeMenu = (menu: HTMLDetailsElement | null) => {
  if (menu) menu.open = false;
};

/** Snooze presets in the agent's own time zone. */
export const snoozePresets = (now: Date): { label: string; at: Date }[] => {
  const at = (days: number, hour: number) => {
    const d = new Date(now);
    d.setDate(d.getDate() + days);
    d.setHours(hour, 0, 0, 0);
    return d;
  };
  const daysToMonday = ((8 - now.getDay()) % 7) || 7;
  return [
    { label: 'In 1 hour', at: new Date(now.getTime() + 60 * 60_000) },
    { label: 'In 4 hours', at: new Date(now.getTime() + 4 * 60 * 60_000) },
    { label: 'Tomorrow at 9:00', at: at(1, 9) },
    { label: 'Next Monday at 9:00', at: at(daysToMonday, 9) },
  ];
};

/** Snooze until a preset or a chosen time; the conversation comes back then, or as soon as the customer writes. */
export const SnoozeMenu = ({ c }: { c: ConversationDto }) => {
  const client = useQueryClient();
  const menu = useRef<HTMLDetailsElement>(null);
  const [custom, setCustom] = useState('');
  const snooze = useMutation({
    mutationFn: (until: Date) => api.post<ConversationDto>(`/conversations/${encodeURIComponent(c.id)}/snooze`, { until: until.toISOString() }),
    onSuccess: async () => {
      closeMenu(menu.current);
      await refresh(client, [c.id]);
    },
  });
  const submitCustom = (e: FormEvent) => {
    e.preventDefault();
    if (custom) snooze.mutate(new Date(custom));
  };
  return (
    <details className="menu" ref={menu}>
      <summary className="btn">
        {c.status === 'snoozed' ? 'Snooze again' : 'Snooze'}
      </summary>
      <ul className="menu-list menu-list-end" aria-label="Snooze until">
        {snoozePresets(new Date()).map((p) => (
          <li key={p.label}>
            <button type="button" disabled={snooze.isPending} onClick={() => snooze.mutate(p.at)}>
              {p.label} <span className="muted">· {formatDateTime(p.at.toISOString())}</span>
            </button>
          </li>
        ))}
        <li>
          <form className="menu-custom" onSubmit={submitCustom}>
            <label className="field">
              <span>Until a date and time</span>
              <input type="datetime-local" value={custom} onChange={(e) => setCustom(e.target.value)} required />
            </label>
            <button type="submit" className="btn" disabled={!custom || snooze.isPending}>
              Snooze
            </button>
          </form>
        </li>
        <li className="muted menu-custom">SLA clocks keep running while snoozed; the customer writing again ends the snooze.</li>
        {snooze.error ? (
          <li>
            <ErrorNotice error={snooze.error} />
          </li>
        ) : null}
      </ul>
    </details>
  );
};

/** Assign to yourself, to nobody, or (supervisors and admins) to a teammate. */
export const AssignMenu = ({ c, onAssign, pending }: { c: ConversationDto; onAssign(userId: string | null): void; pending: boolean }) => {
  const { user } = useSession();
  const users = useUsers();
  const menu = useRef<HTMLDetailsElement>(null);
  const teammates = user.role === 'agent' ? [] : (users.data ?? []).filter((u) => u.id !== user.id && !u.disabled && ['agent', 'supervisor', 'admin'].includes(u.role));
  const pick = (id: string | null) => () => {
    closeMenu(menu.current);
    onAssign(id);
  };
  return (
    <details className="menu" ref={menu}>
      <summary className="btn">Assign…</summary>
      <ul className="menu-list menu-list-end" aria-label="Assign to">
        <li>
          <button type="button" disabled={pending} aria-current={c.assigneeId === user.id ? 'true' : undefined} onClick={pick(user.id)}>
            Me
          </button>
        </li>
        {teammates.map((u) => (
          <li key={u.id}>
            <button type="button" disabled={pending} aria-current={c.assigneeId === u.id ? 'true' : undefined} onClick={pick(u.id)}>
              {u.name} <span className="muted">({u.status})</span>
            </button>
          </li>
        ))}
        <li>
          <button type="button" disabled={pending} aria-current={c.assigneeId === null ? 'true' : undefined} onClick={pick(null)}>
            Nobody (back to the queue)
          </button>
        </li>
      </ul>
    </details>
  );
};

/**
 * Merge this conversation into another: the customer's other conversations are offered first; any conversation id
 * works too. Merging across customers asks for confirmation. The result can be undone from the toast.
 */
export const MergeDialog = ({ c }: { c: ConversationDto }) => {
  const client = useQueryClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const channels = useChannels();
  const [target, setTarget] = useState('');
  const [other, setOther] = useState('');
  const customer = useQuery({
    queryKey: customer360Key(c.customerId ?? 'none'),
    queryFn: () => api.get<Customer360>(`/customers/${encodeURIComponent(c.customerId ?? '')}`),
    enabled: c.customerId !== null,
    staleTime: 30_000,
  });
  const candidates = (customer.data?.conversations ?? []).filter((x) => x.id !== c.id && x.status !== 'merged' && !x.mergedIntoId);
  const merge = useMutation({
    mutationFn: (input: { targetId: string; confirm: boolean }) =>
      api.post<{ operation: ConversationOperationDto; conversation: ConversationDto }>(`/conversations/${encodeURIComponent(c.id)}/merge`, { targetId: input.targetId, ...(input.confirm ? { confirmCrossCustomer: true } : {}) }),
    onSuccess: async (result) => {
      dialog.current?.close();
      showUndo(result.operation, `Merged ${result.operation.messageIds.length} message(s) into this conversation.`);
      await refresh(client, [c.id, result.conversation.id]);
      navigate(`/c/${encodeURIComponent(result.conversation.id)}${window.location.search}`);
    },
  });
  const needsConfirmation = isApiError(merge.error) && merge.error.problem.code === 'conflict' && (merge.error.problem as { requiresConfirmation?: boolean }).requiresConfirmation === true;
  const chosen = other.trim() || target;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (chosen) merge.mutate({ targetId: chosen, confirm: false });
  };
  return (
    <>
      <button
        type="button"
        className="btn"
        onClick={() => {
          merge.reset();
          dialog.current?.showModal();
        }}
      >
        Merge…
      </button>
      <dialog ref={dialog} className="card merge-dialog" aria-labelledby={`merge-title-${c.id}`}>
        <form onSubmit={submit}>
          <h2 id={`merge-title-${c.id}`}>Merge into another conversation</h2>
          <p className="muted">Every message, note and SLA clock of this conversation moves into the one you pick; this one then points there. You can undo it.</p>
          <fieldset className="fieldset">
            <legend>This customer's other conversations</legend>
            {customer.isLoading ? <p className="muted">Loading…</p> : null}
            {candidates.length === 0 && !customer.isLoading ? <p className="muted">No other conversations with this customer. Enter a conversation id below.</p> : null}
            <ul>
              {candidates.map((x) => (
                <li key={x.id}>
                  <label>
                    <input type="radio" name="merge-target" value={x.id} checked={target === x.id && !other.trim()} onChange={() => { setTarget(x.id); setOther(''); }} />
                    <span>
                      <strong>{channels.data?.find((ch) => ch.id === x.channelId)?.platform ?? x.visibility}</strong> {x.lastMessagePreview || x.subject || '(no text)'}{' '}
                      <span className="muted">· {x.status} · {formatDateTime(x.lastMessageAt)}</span>
                    </span>
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
          <label className="field">
            <span>Or a conversation id (from its address /c/…)</span>
            <input value={other} onChange={(e) => setOther(e.target.value)} placeholder="01J…" />
          </label>
          {needsConfirmation ? (
            <div className="notice notice-warn" role="alert">
              <p>That conversation belongs to a different customer. Merge anyway? Its messages keep their authors.</p>
              <button type="button" className="btn btn-primary" disabled={merge.isPending} onClick={() => merge.mutate({ targetId: chosen, confirm: true })}>
                Merge across customers
              </button>
            </div>
          ) : merge.error ? (
            <ErrorNotice error={merge.error} />
          ) : null}
          <div className="button-row">
            <button type="submit" className="btn btn-primary" disabled={!chosen || merge.isPending}>
              {merge.isPending ? 'Merging…' : 'Merge'}
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
};

/** Splits a message off into a new conversation, then opens it with an undo offer. */
export const useSplit = (conversationId: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { messageId: string; scope: 'message' | 'replies' | 'following' }) =>
      api.post<{ operation: ConversationOperationDto; conversation: ConversationDto }>(`/conversations/${encodeURIComponent(conversationId)}/split`, input),
    onSuccess: async (result) => {
      showUndo(result.operation, `Split ${result.operation.messageIds.length} message(s) into this new conversation.`);
      await refresh(client, [conversationId, result.conversation.id]);
      navigate(`/c/${encodeURIComponent(result.conversation.id)}${window.location.search}`);
    },
  });
};

/**
 * Phone conversations: Parley cannot place calls, so answering one is a callback for a person. Recording it adds a
 * note naming the caller's number and the agreed time, and the conversation sleeps until then.
 */
export const CallbackMenu = ({ c }: { c: ConversationDto }) => {
  const client = useQueryClient();
  const menu = useRef<HTMLDetailsElement>(null);
  const [when, setWhen] = useState('');
  const [note, setNote] = useState('');
  const record = useMutation({
    mutationFn: () => api.post<{ noteId: string; number: string; at: string | null; body: string }>(`/conversations/${encodeURIComponent(c.id)}/callback`, { at: new Date(when).toISOString(), ...(note.trim() ? { note: note.trim() } : {}) }),
    onSuccess: async () => {
      closeMenu(menu.current);
      setWhen('');
      setNote('');
      await refresh(client, [c.id]);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (when) record.mutate();
  };
  return (
    <>
      <details className="menu" ref={menu}>
        <summary className="btn">Record callback</summary>
        <div className="menu-list menu-list-end">
          <form className="menu-custom" onSubmit={submit} aria-label="Record a callback">
            <label className="field">
              <span>Call back at</span>
              <input type="datetime-local" value={when} onChange={(e) => setWhen(e.target.value)} required />
            </label>
            <label className="field">
              <span>Note for whoever calls (optional)</span>
              <textarea rows={2} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />
            </label>
            <button type="submit" className="btn btn-primary" disabled={!when || record.isPending}>
              {record.isPending ? 'Recording…' : 'Record callback'}
            </button>
            <p className="muted">Parley cannot place calls: this adds a note with the caller&apos;s number and snoozes the conversation until then.</p>
            {record.error ? <ErrorNotice error={record.error} /> : null}
          </form>
        </div>
      </details>
      {/* Seen as the note in the timeline and the snoozed chip; announced for screen readers. */}
      {record.data ? (
        <p role="status" className="sr-only">
          Callback recorded: call {record.data.number}
          {record.data.at ? ` at ${formatDateTime(record.data.at)}` : ''}.
        </p>
      ) : null}
    </>
  );
};
