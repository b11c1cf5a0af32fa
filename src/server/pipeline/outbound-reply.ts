import { newId } from '../platform/ids.js';
import type { Repositories } from '../repositories/index.js';

export type OutboundKind = 'reply' | 'dm' | 'email' | 'chat';

/** The message being answered, as far as a reply needs it. */
export interface AnsweredMessage {
  externalId: string;
  kind: string;
  authorPlatformId: string;
  authorHandle: string | null;
  authorEmail: string | null;
}

export interface OutboundReplyInput {
  conversation: { id: string; channelId: string; threadKey: string; subject: string | null; customerId: string | null };
  channel: { id: string; name: string; ownAccountIds: string[] };
  answering: AnsweredMessage | null;
  text: string;
  visibility: 'public' | 'private';
  idempotencyKey: string;
  /** A user id, or `rule:<id>` for automation (which does not meet an SLA). */
  sentBy: string;
  now: number;
  /** Extra facts carried to the connector with the payload (incident id, causation chain). */
  payloadExtra?: Record<string, unknown>;
  /** Whether this reply counts as the first response (automated replies do not). */
  isFirstResponse: boolean;
}

/** How a reply travels, from what it answers: the same DM thread, e-mail, chat, or a public reply. */
export const outboundKindFor = (answering: { kind: string } | null): OutboundKind =>
  answering?.kind === 'dm' ? 'dm' : answering?.kind === 'email' ? 'email' : answering?.kind === 'chat' ? 'chat' : 'reply';

/**
 * Writes an outbound reply in the caller's transaction: the outbox row (once per idempotency key), the outbound
 * message that shows in the timeline, and the list-row change. Returns null when the key was already used.
 */
export const queueOutboundReply = async (tx: Repositories, input: OutboundReplyInput): Promise<{ messageId: string; outboxId: string } | null> => {
  const { conversation: c, channel, answering, now } = input;
  const messageId = newId();
  const outboxId = newId();
  const kind = outboundKindFor(answering);
  const isNew = await tx.outbox.enqueue({
    id: outboxId,
    idempotencyKey: input.idempotencyKey,
    channelId: c.channelId,
    conversationId: c.id,
    messageId,
    kind,
    payload: {
      text: input.text,
      inReplyToExternalId: answering?.externalId ?? null,
      recipient: answering ? { platformId: answering.authorPlatformId, handle: answering.authorHandle, email: answering.authorEmail } : null,
      threadKey: c.threadKey,
      subject: c.subject,
      ...input.payloadExtra,
    },
    createdBy: input.sentBy,
    now,
  });
  if (!isNew) return null;
  await tx.messages.insertMany([
    {
      id: messageId,
      channelId: c.channelId,
      // Replaced by the platform's id when the outbox delivers it.
      externalId: `pending:${outboxId}`,
      direction: 'out',
      kind: kind === 'chat' ? 'reply' : kind,
      visibility: input.visibility,
      author: { platformId: channel.ownAccountIds[0] ?? `parley:${channel.id}`, handle: null, displayName: channel.name, followers: 0, verified: true, email: null },
      text: input.text,
      html: null,
      subject: c.subject ? `Re: ${c.subject.replace(/^re:\s*/i, '')}` : null,
      attachments: [],
      inReplyTo: answering?.externalId ?? null,
      threadKey: c.threadKey,
      url: null,
      listening: false,
      createdAt: now,
      receivedAt: now,
      editedAt: null,
      raw: null,
      stage: 'decided',
      conversationId: c.id,
      customerId: c.customerId,
      sentByUserId: input.sentBy,
    },
  ]);
  await tx.conversations.recordActivity({ id: c.id, messageId, at: now, preview: input.text.slice(0, 160), direction: 'out', customerId: null, sentiment: null, intent: null, language: null });
  if (input.isFirstResponse) await tx.conversations.recordFirstResponse(c.id, now);
  return { messageId, outboxId };
};
