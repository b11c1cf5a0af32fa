import { checkReply, type CheckReplyResult } from '../../shared/pii/index.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { Repositories } from '../repositories/index.js';
import { compileAllowed, notAllowed, phoneRegionsFrom, PII_ALLOW_KEY, type AllowedPattern } from '../trust/pii-allow.js';
import { attachProof, maskProofCodes, newVerificationCode, proofCodeIn, proofModeFor, REPLY_PROOF_KEY, type ReplyProofSettings } from '../trust/reply-proof.js';

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
  channel: { id: string; name: string; ownAccountIds: string[]; platform?: string };
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
  /** Where customers reach Parley; public replies then carry a verify link (else a short code) when the workspace wants it. */
  publicUrl?: string | null;
  /** Files sent with the reply, already checked against the channel's media limits; the outbox row keeps their ids. */
  attachments?: readonly { id: string; filename: string; contentType: string; size: number }[];
}

/** How a reply travels, from what it answers: the same DM thread, e-mail, chat, or a public reply. */
export const outboundKindFor = (answering: { kind: string } | null): OutboundKind =>
  answering?.kind === 'dm' ? 'dm' : answering?.kind === 'email' ? 'email' : answering?.kind === 'chat' ? 'chat' : 'reply';

/**
 * The PII guard's verdict on an outbound reply, with what the workspace admin allows in public (the company's own
 * hotline, order numbers); every path that writes a reply asks this, so they all give the same verdict.
 */
export const checkOutboundReply = async (tx: Repositories, original: string, visibility: 'public' | 'private'): Promise<CheckReplyResult> => {
  // The reply's own proof code is random: six digits in a row in it read as a one-time code (about 1 code in 450).
  const text = maskProofCodes(original);
  const stored = await tx.settings.get<{ patterns?: AllowedPattern[]; regions?: string[] }>(PII_ALLOW_KEY);
  // The workspace's phone regions: a UK brand's "07911 123456" is a phone number, not just digits.
  const verdict = checkReply(text, { visibility, ...phoneRegionsFrom(stored?.regions) });
  if (verdict.allowed) return verdict;
  const blocking = notAllowed(text, verdict.findings, compileAllowed(stored?.patterns ?? []));
  if (blocking.length === 0) return { allowed: true, findings: verdict.findings };
  return { allowed: false, findings: verdict.findings, reason: `public reply contains personal data (${blocking.map((f) => `${f.type} at ${f.start}-${f.end}`).join(', ')}); move the conversation to a private channel or remove it` };
};

/** The last line of defence: whatever path wrote it, a public reply with personal data is never queued. */
const guard = async (tx: Repositories, text: string, visibility: 'public' | 'private'): Promise<void> => {
  const verdict = await checkOutboundReply(tx, text, visibility);
  if (!verdict.allowed) throw new AppError('reply_blocked', verdict.reason ?? 'the reply contains personal data and cannot be posted in public', 'text', { findings: verdict.findings, suggestion: 'move_to_private' });
};

/**
 * Writes an outbound reply in the caller's transaction: the outbox row (once per idempotency key), the outbound
 * message that shows in the timeline, and the list-row change; a public reply also gets its proof code on file (and
 * in its text, as the workspace chooses). Returns null when the key was already used.
 */
export const queueOutboundReply = async (tx: Repositories, input: OutboundReplyInput): Promise<{ messageId: string; outboxId: string; proofCode: string | null } | null> => {
  const { conversation: c, channel, answering, now } = input;
  await guard(tx, input.text, input.visibility);
  const messageId = newId();
  const outboxId = newId();
  const kind = outboundKindFor(answering);
  let text = input.text;
  let proofCode: string | null = null;
  if (input.visibility === 'public') {
    proofCode = proofCodeIn(text);
    if (!proofCode) {
      proofCode = newVerificationCode();
      const mode = proofModeFor(await tx.settings.get<Partial<ReplyProofSettings>>(REPLY_PROOF_KEY), channel.id);
      text = attachProof(text, { mode, code: proofCode, ...(channel.platform ? { platform: channel.platform } : {}), publicUrl: input.publicUrl ?? null }).text;
    }
  }
  const isNew = await tx.outbox.enqueue({
    id: outboxId,
    idempotencyKey: input.idempotencyKey,
    channelId: c.channelId,
    conversationId: c.id,
    messageId,
    kind,
    payload: {
      text,
      inReplyToExternalId: answering?.externalId ?? null,
      recipient: answering ? { platformId: answering.authorPlatformId, handle: answering.authorHandle, email: answering.authorEmail } : null,
      threadKey: c.threadKey,
      subject: c.subject,
      // The delivery worker loads these files' bytes when it sends (OutboundMessage.media).
      ...(input.attachments?.length ? { attachmentIds: input.attachments.map((a) => a.id) } : {}),
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
      text,
      html: null,
      subject: c.subject ? `Re: ${c.subject.replace(/^re:\s*/i, '')}` : null,
      attachments: (input.attachments ?? []).map((a) => ({ url: `/api/v1/attachments/${a.id}`, contentType: a.contentType, name: a.filename, size: a.size })),
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
  if (input.attachments?.length) await tx.attachments.markUsed(input.attachments.map((a) => a.id), outboxId);
  if (proofCode) await tx.officialReplies.record({ code: proofCode, messageId, conversationId: c.id, channelId: c.channelId, createdAt: now });
  await tx.conversations.recordActivity({ id: c.id, messageId, at: now, preview: text.slice(0, 160), direction: 'out', customerId: null, sentiment: null, intent: null, language: null });
  if (input.isFirstResponse) await tx.conversations.recordFirstResponse(c.id, now);
  return { messageId, outboxId, proofCode };
};
