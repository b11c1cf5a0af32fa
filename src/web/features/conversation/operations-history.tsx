import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.js';
import type { ConversationOperationDto } from '../../../shared/api.js';
import { ErrorNotice } from '../../ui/notice.js';
import { formatDateTime } from '../../ui/time.js';

const describe = (o: ConversationOperationDto, id: string): string => {
  const n = `${o.messageIds.length} message${o.messageIds.length === 1 ? '' : 's'}`;
  if (o.kind === 'merge') return o.targetId === id ? `Another conversation was merged in (${n})` : `Merged into another conversation (${n})`;
  return o.sourceId === id ? `${n} split off into a new conversation` : `Split off from another conversation (${n})`;
};

/**
 * Merges and splits this conversation took part in, newest first, each with its undo while not yet undone (the
 * server refuses, and says why, when later changes make it unsafe).
 */
export const OperationsHistory = ({ conversationId }: { conversationId: string }) => {
  const client = useQueryClient();
  const ops = useQuery({ queryKey: ['conversation', conversationId, 'operations'], queryFn: () => api.get<{ items: ConversationOperationDto[] }>(`/conversations/${encodeURIComponent(conversationId)}/operations`) });
  const undo = useMutation({
    mutationFn: (id: string) => api.post<ConversationOperationDto>(`/conversation-operations/${encodeURIComponent(id)}/undo`),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['conversation'] });
      await client.invalidateQueries({ queryKey: ['conversations'] });
    },
  });
  const items = ops.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <details className="operations-history">
      <summary className="muted">Merges and splits ({items.length})</summary>
      <ul className="plain-list">
        {items.map((o) => (
          <li key={o.id}>
            {describe(o, conversationId)} <span className="muted">· {formatDateTime(o.createdAt)}</span>{' '}
            {o.undoneAt ? (
              <span className="muted">· undone {formatDateTime(o.undoneAt)}</span>
            ) : (
              <button type="button" className="btn btn-ghost" disabled={undo.isPending} onClick={() => undo.mutate(o.id)}>
                Undo
              </button>
            )}
          </li>
        ))}
      </ul>
      {undo.error ? <ErrorNotice error={undo.error} /> : null}
    </details>
  );
};
