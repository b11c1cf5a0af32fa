import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { api } from '../../api/client.js';
import type { ConversationOperationDto } from '../../../shared/api.js';
import { navigate } from '../../routes/router.js';
import { ErrorNotice } from '../../ui/notice.js';

interface Toast {
  operation: ConversationOperationDto;
  text: string;
  /** Where to go after an undo: the conversation the operation started from. */
  backTo: string;
}

// One toast at a time, kept outside React so it survives the navigation a merge or split causes.
let current: Toast | null = null;
const listeners = new Set<() => void>();
const set = (t: Toast | null) => {
  current = t;
  for (const l of listeners) l();
};

/** Offers undo for a merge or split that just happened. */
export const showUndo = (operation: ConversationOperationDto, text: string): void => set({ operation, text, backTo: operation.sourceId });

const visibleMs = 12_000;

/** "Merged into … · Undo": undo restores the previous state exactly, or says why it no longer can. */
export const UndoToast = () => {
  const toast = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
  const client = useQueryClient();
  const undo = useMutation({
    mutationFn: (id: string) => api.post<ConversationOperationDto>(`/conversation-operations/${encodeURIComponent(id)}/undo`),
    onSuccess: async (op) => {
      set(null);
      await client.invalidateQueries({ queryKey: ['conversations'] });
      await client.invalidateQueries({ queryKey: ['conversation'] });
      await client.invalidateQueries({ queryKey: ['customer-360'] });
      navigate(`/c/${encodeURIComponent(op.sourceId)}${window.location.search}`);
    },
  });
  useEffect(() => {
    if (!toast || undo.isPending || undo.error) return;
    const timer = window.setTimeout(() => set(null), visibleMs);
    return () => window.clearTimeout(timer);
  }, [toast, undo.isPending, undo.error]);
  if (!toast) return null;
  return (
    <div className={`toast${undo.error ? ' toast-error' : ''}`} role="status" aria-live="polite">
      {undo.error ? <ErrorNotice error={undo.error} /> : <span>{toast.text}</span>}
      {undo.error ? null : (
        <button type="button" className="btn" disabled={undo.isPending} onClick={() => undo.mutate(toast.operation.id)}>
          {undo.isPending ? 'Undoing…' : 'Undo'}
        </button>
      )}
      <button
        type="button"
        className="btn btn-ghost"
        aria-label="Dismiss"
        onClick={() => {
          undo.reset();
          set(null);
        }}
      >
        ×
      </button>
    </div>
  );
};
