import { useQuery } from '@tanstack/react-query';
import { can } from '../../../shared/permissions.js';
import { api } from '../../api/client.js';
import { useCapabilities } from '../../api/capabilities.js';
import { useSession } from '../auth/session.js';
import { useMacroInsert } from './macro-picker.js';

type Suggestion =
  | { kind: 'macro'; macroId: string; name: string; score: number; why: string }
  | { kind: 'reply'; text: string; uses: number; score: number; why: string };

const preview = (text: string) => (text.length > 60 ? `${text.slice(0, 57)}…` : text);

/** One click puts a suggested answer in the composer: a fitting macro (rendered for this customer) or a reply the team keeps sending. */
export const SuggestedReplies = ({ conversationId, lastMessageId, onInsert }: { conversationId: string; lastMessageId: string | null; onInsert(text: string): void }) => {
  const { user } = useSession();
  const capabilities = useCapabilities();
  const enabled = can(user.role, 'macros:use') && capabilities.has('GET', '/api/v1/conversations/{id}/suggested-replies');
  const suggestions = useQuery({
    queryKey: ['suggested-replies', conversationId, lastMessageId],
    queryFn: () => api.get<{ items: Suggestion[] }>(`/conversations/${encodeURIComponent(conversationId)}/suggested-replies`).then((r) => r.items),
    enabled,
    staleTime: 60_000,
  });
  const macro = useMacroInsert(conversationId, onInsert);
  if (!enabled || !suggestions.data?.length) return null;
  return (
    <div className="suggested-replies" role="group" aria-label="Suggested replies">
      <span className="muted">Suggested:</span>{' '}
      {suggestions.data.map((s) => (
        <button
          key={s.kind === 'macro' ? s.macroId : s.text}
          type="button"
          className="btn btn-ghost btn-small"
          title={s.why}
          disabled={macro.pending}
          onClick={() => (s.kind === 'macro' ? macro.insert(s.macroId) : onInsert(s.text))}
        >
          {s.kind === 'macro' ? s.name : `“${preview(s.text)}”`}
        </button>
      ))}
      {macro.feedback}
    </div>
  );
};
