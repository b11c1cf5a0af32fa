/** Longest public reply per platform: the fan-out words each member's reply for its own channel. */
const PUBLIC_LIMITS: Record<string, number> = { x: 280, bluesky: 300, mastodon: 500 };

/** One notice in a channel's own wording: a mention where replies mention, a greeting in e-mail. */
export const wordNotice = (platform: string, text: string, recipient: { handle: string | null; displayName: string | null }): string => {
  if (platform === 'email') return `Hello ${recipient.displayName ?? 'there'},\n\n${text}`;
  const limit = PUBLIC_LIMITS[platform];
  if (limit === undefined) return text;
  const mention = recipient.handle ? `@${recipient.handle.replace(/^@/, '')} ` : '';
  const full = `${mention}${text}`;
  return full.length <= limit ? full : `${full.slice(0, limit - 1)}…`;
};

/** The idempotency key of an incident notice to one conversation: the supervisor's fan-out and the decide stage share it, so no one is told twice. */
/** The two notices an incident sends its members. */
export type Notice = 'ack' | 'resolve';

export const incidentNoticeKey = (incidentId: string, notice: Notice, conversationId: string): string => `incident:${incidentId}:${notice}:${conversationId}`;
