import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.js';
import { useCapabilities } from '../../api/capabilities.js';
import { useUsers } from '../../api/queries.js';
import { ErrorNotice } from '../../ui/notice.js';
import { timeAgo, useNow } from '../../ui/time.js';

interface CustomerNote {
  id: string;
  customerId: string;
  authorId: string;
  body: string;
  createdAt: number;
}

const notesKey = (customerId: string) => ['customer', customerId, 'notes'] as const;

/** Notes the team keeps on a customer across all their conversations: the context the next agent needs. */
export const CustomerNotes = ({ customerId }: { customerId: string }) => {
  const client = useQueryClient();
  const capabilities = useCapabilities();
  const users = useUsers();
  const authorName = (id: string) => users.data?.find((u) => u.id === id)?.name ?? 'A teammate';
  const now = useNow(60_000);
  const [body, setBody] = useState('');
  const notes = useQuery({ queryKey: notesKey(customerId), queryFn: () => api.get<{ items: CustomerNote[] }>(`/customers/${encodeURIComponent(customerId)}/notes`) });
  const add = useMutation({
    mutationFn: (text: string) => api.post<CustomerNote>(`/customers/${encodeURIComponent(customerId)}/notes`, { body: text }),
    onSuccess: async () => {
      setBody('');
      await client.invalidateQueries({ queryKey: notesKey(customerId) });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (body.trim()) add.mutate(body.trim());
  };
  const canWrite = capabilities.has('POST', '/api/v1/customers/{id}/notes');
  return (
    <section aria-labelledby="customer-notes-title">
      <h3 id="customer-notes-title">Notes on this customer</h3>
      {notes.error ? <ErrorNotice error={notes.error} onRetry={() => void notes.refetch()} /> : null}
      {notes.data && notes.data.items.length === 0 ? <p className="muted">No notes yet. Notes stay with the customer on every channel, not with one conversation.</p> : null}
      <ul className="plain-list customer-notes">
        {notes.data?.items.map((n) => (
          <li key={n.id}>
            <p>{n.body}</p>
            <small className="muted">
              {authorName(n.authorId)} · {timeAgo(new Date(n.createdAt).toISOString(), now)}
            </small>
          </li>
        ))}
      </ul>
      {canWrite ? (
        <form className="inline-form" onSubmit={submit}>
          <label className="field grow">
            <span>New note on this customer</span>
            <textarea rows={2} maxLength={5000} value={body} onChange={(e) => setBody(e.target.value)} placeholder="Prefers email; credit promised on 3 March" />
          </label>
          <button type="submit" className="btn" disabled={!body.trim() || add.isPending}>
            Add customer note
          </button>
        </form>
      ) : null}
      {add.error ? <ErrorNotice error={add.error} /> : null}
    </section>
  );
};
