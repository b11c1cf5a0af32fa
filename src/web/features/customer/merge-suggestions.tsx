import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { api } from '../../api/client.js';
import { useCustomer } from '../../api/queries.js';
import type { MergeSuggestionDto } from '../../api/types.js';
import { ErrorNotice } from '../../ui/notice.js';

const Suggestion = ({ s, customerId, onDecided }: { s: MergeSuggestionDto; customerId: string; onDecided(mergeId: string | null): void }) => {
  const otherId = s.customerId === customerId ? s.otherCustomerId : s.customerId;
  const other = useCustomer(otherId);
  const decide = useMutation({
    mutationFn: (verdict: 'accept' | 'reject') => api.post<{ id: string }>(`/merge-suggestions/${encodeURIComponent(s.id)}/${verdict}`),
    onSuccess: (result, verdict) => onDecided(verdict === 'accept' ? result.id : null),
  });
  const name = other.data ? (other.data.handle ? `@${other.data.handle}` : (other.data.displayName ?? 'another customer')) : '…';
  return (
    <li className="suggestion">
      <p>
        Same person as <strong>{name}</strong>? <span className="muted">({Math.round(s.score * 100)}% match)</span>
      </p>
      {s.reasons.length ? <p className="muted">Because: {s.reasons.join('; ')}</p> : null}
      <div className="button-row">
        <button type="button" className="btn" disabled={decide.isPending} onClick={() => decide.mutate('accept')}>
          Merge {name}
        </button>
        <button type="button" className="btn btn-ghost" disabled={decide.isPending} onClick={() => decide.mutate('reject')}>
          Not the same
        </button>
      </div>
      {decide.error ? <ErrorNotice error={decide.error} /> : null}
    </li>
  );
};

// The undo offer outlives the panel's reload after a merge (the open conversation may now belong to the survivor).
let lastMergeId: string | null = null;
const lastMergeListeners = new Set<() => void>();
const setLastMergeId = (id: string | null) => {
  lastMergeId = id;
  for (const l of lastMergeListeners) l();
};
const useLastMerge = (): [string | null, (id: string | null) => void] => [
  useSyncExternalStore(
    (l) => {
      lastMergeListeners.add(l);
      return () => lastMergeListeners.delete(l);
    },
    () => lastMergeId,
  ),
  setLastMergeId,
];

/** Weak-evidence identity matches waiting for a human: accept (undoable) or reject. */
export const MergeSuggestions = ({ customerId, canUndo }: { customerId: string; canUndo: boolean }) => {
  const client = useQueryClient();
  const [lastMerge, setLastMerge] = useLastMerge();
  const suggestions = useQuery({ queryKey: ['suggestions', customerId], queryFn: () => api.get<{ items: MergeSuggestionDto[] }>(`/customers/${encodeURIComponent(customerId)}/suggestions`).then((r) => r.items) });
  // A merge can change which customer the open conversation belongs to (the older one survives): refresh both sides.
  const refresh = async () => {
    await client.invalidateQueries({ queryKey: ['suggestions'] });
    await client.invalidateQueries({ queryKey: ['customer-360'] });
    await client.invalidateQueries({ queryKey: ['customer'] });
    await client.invalidateQueries({ queryKey: ['conversation'] });
  };
  const undo = useMutation({
    mutationFn: (mergeId: string) => api.post(`/merges/${encodeURIComponent(mergeId)}/undo`),
    onSuccess: async () => {
      setLastMerge(null);
      await refresh();
    },
  });
  const pending = (suggestions.data ?? []).filter((s) => s.status === 'pending');
  if (pending.length === 0 && !lastMerge && !suggestions.error) return null;
  return (
    <section aria-labelledby="suggestions-title">
      <h3 id="suggestions-title">Possible duplicates</h3>
      {suggestions.error ? <ErrorNotice error={suggestions.error} /> : null}
      <ul className="plain-list">
        {pending.map((s) => (
          <Suggestion
            key={s.id}
            s={s}
            customerId={customerId}
            onDecided={(mergeId) => {
              setLastMerge(mergeId);
              void refresh();
            }}
          />
        ))}
      </ul>
      {lastMerge && canUndo ? (
        <p role="status">
          Merged.{' '}
          <button type="button" className="btn btn-ghost" disabled={undo.isPending} onClick={() => undo.mutate(lastMerge)}>
            Undo
          </button>
        </p>
      ) : null}
      {undo.error ? <ErrorNotice error={undo.error} /> : null}
    </section>
  );
};
