import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { can } from '../../../shared/permissions.js';
import { defaultHoldingReply, holdingReplyNudge, isHoldingReplyMacro, type WaitingConversation } from '../../../shared/holding-reply.js';
import { api, isApiError } from '../../api/client.js';
import { useCapabilities } from '../../api/capabilities.js';
import type { MacroDto } from '../../api/types.js';
import { ErrorNotice } from '../../ui/notice.js';
import { useNow } from '../../ui/time.js';
import { useSession } from '../auth/session.js';

/**
 * The text of the holding reply: the workspace's macro named for it (rendered by the server for this customer and
 * channel, its variant and length limit), else the built-in acknowledgement for the channel.
 */
const holdingText = async (conversationId: string, macro: MacroDto | undefined, platform: string | null): Promise<string> => {
  if (macro) {
    const rendered = await api.post<{ ok: boolean; text: string | null }>(`/macros/${encodeURIComponent(macro.id)}/render`, { conversationId }).catch(() => null);
    if (rendered?.ok && rendered.text?.trim()) return rendered.text;
  }
  return defaultHoldingReply(platform);
};

/** The server refuses a second holding reply to the same customer message (another agent sent one, or answered). */
const isAnsweredAlready = (error: unknown): boolean => isApiError(error) && error.problem.status === 409;

/**
 * Sending a conversation's holding reply, shared by the composer's nudge and the inbox row's action: the text of
 * `holdingText` posted to the ordinary reply endpoint with `holding: true` (PII guard, outbox, proof; the full answer
 * stays owed). `active` says whether a holding reply is being offered, so the workspace macros load only then.
 */
export const useHoldingReply = (conversationId: string, platform: string | null, active: boolean) => {
  const client = useQueryClient();
  const { user } = useSession();
  const capabilities = useCapabilities();
  const canReply = can(user.role, 'conversations:write');
  const macrosEnabled = can(user.role, 'macros:use') && capabilities.has('POST', '/api/v1/macros/{id}/render');
  const macros = useQuery({ queryKey: ['macros'], queryFn: () => api.get<{ items: MacroDto[] }>('/macros').then((r) => r.items), enabled: canReply && macrosEnabled && active, staleTime: 60_000 });
  const macro = macros.data?.find((m) => isHoldingReplyMacro(m.name));
  const send = useMutation({
    mutationFn: async () => {
      const text = await holdingText(conversationId, macro, platform);
      return api.post(`/conversations/${encodeURIComponent(conversationId)}/reply`, { text, holding: true });
    },
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['conversation', conversationId] });
      await client.invalidateQueries({ queryKey: ['conversations'] });
    },
    // Refused because a colleague answered first (409): what is shown is out of date, so fetch it again.
    onError: async (error) => {
      if (!isAnsweredAlready(error)) return;
      await client.invalidateQueries({ queryKey: ['conversation', conversationId] });
      await client.invalidateQueries({ queryKey: ['conversations'] });
    },
  });
  /** What will be sent, for the button's description. */
  const describe = macro ? `Sends your “${macro.name}” macro.` : `Sends “${defaultHoldingReply(platform)}”`;
  return { canReply, macro, send, describe };
};

/**
 * When the customer's response deadline (the SLA due time, or fifteen minutes after their message if sooner) is
 * within three minutes or past, nudges the agent to send a short holding reply now and finish the answer after. The
 * holding reply goes through the ordinary reply endpoint (PII guard, outbox, proof) and leaves the draft alone.
 */
export const HoldingReplyNudge = ({ conversation, platform }: { conversation: WaitingConversation & { id: string }; platform: string | null }) => {
  const now = useNow(15_000);
  const nudge = holdingReplyNudge(conversation, now);
  const { canReply, send, describe } = useHoldingReply(conversation.id, platform, nudge !== null);
  if (!canReply) return null;
  if (!nudge) {
    if (send.isSuccess) return <p className="muted" role="status">Holding reply sent — your draft is still here.</p>;
    if (isAnsweredAlready(send.error)) return <p className="muted" role="status">Someone already answered the customer’s last message, so no holding reply was sent.</p>;
    return null;
  }
  return (
    <div className="notice notice-warn holding-reply" role="status">
      <p>
        <strong>The customer has waited {nudge.waitedMinutes} min</strong> — send a holding reply now and finish your answer after.
        {nudge.overdue ? ' Their response deadline has passed.' : ''}
      </p>
      <p>
        <button type="button" className="btn" disabled={send.isPending} aria-describedby="holding-reply-text" onClick={() => send.mutate()}>
          {send.isPending ? 'Sending…' : 'Send holding reply'}
        </button>{' '}
        <span id="holding-reply-text" className="muted">
          {describe}
        </span>
      </p>
      {send.error ? <ErrorNotice error={send.error} /> : null}
    </div>
  );
};
