import type { Actor } from '../../shared/permissions.js';
import type { Clock } from '../platform/clock.js';
import { constantTimeEqual, hashToken, randomToken } from '../platform/crypto.js';
import { AppError } from '../platform/errors.js';
import type { EventBus } from '../platform/events.js';
import { newId } from '../platform/ids.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';
import type { PrivateLink } from '../repositories/private-links.repository.js';
import { maskEmail } from '../trust/email-choice.js';
import { hmacHex, signLinkToken, verifyLinkToken } from '../trust/signing.js';
import type { SystemMailer } from '../trust/system-mailer.js';
import { carriesDmProofCode, dmProofCode } from '../trust/dm-proof.js';
import { mergeCustomersRecorded } from '../pipeline/identity-links.js';
import { queueOutboundReply } from '../pipeline/outbound-reply.js';
import { recordAudit } from './audit.js';
import { createPrivateEmailProof, type MailRoute } from './private-email-proof.js';

export interface PrivateHandoffOptions {
  repos: Repositories;
  uow: UnitOfWork;
  clock: Clock;
  events: EventBus;
  signingKey: Buffer;
  publicUrl: string;
  /** The workspace's system mail; without it codes go only through an email channel's own mail. */
  mailer?: SystemMailer | null;
  linkTtlMs?: number;
  codeTtlMs?: number;
  sessionTtlMs?: number;
  /** Code guesses per link, over every code sent for it (default 5). */
  maxCodeAttempts?: number;
  /** Email codes sent per link (default 3). */
  maxCodeSends?: number;
}

/** What the public page should show for a link. */
export type LinkState =
  | { state: 'invalid' | 'expired' | 'used' }
  | { state: 'ask_email' | 'ask_code'; link: PrivateLink; /** The address the live code went to, masked. */ maskedEmail: string | null }
  | { state: 'open'; link: PrivateLink };

/**
 * The move from a public thread to a private one: a signed, single-use, expiring link; the customer proves who they
 * are with a one-time code sent to an email address we already hold for them, or by a private message from the
 * account that posted; then both sides write private messages in the same conversation.
 */
export const createPrivateHandoffService = (options: PrivateHandoffOptions) => {
  const { repos, uow, clock, events, signingKey, publicUrl } = options;
  const mailer = options.mailer ?? null;
  /** How mail reaches the customer in this conversation: the email channel's own outbox, the system mailer, or not at all. */
  const mailRoute = async (tx: Repositories, channelId: string): Promise<MailRoute> => {
    const channel = await tx.channels.get(channelId);
    if (channel?.platform === 'email' && channel.status !== 'removed') return 'channel';
    return mailer ? 'system' : null;
  };
  const linkTtlMs = options.linkTtlMs ?? 72 * 3600_000;
  const codeTtlMs = options.codeTtlMs ?? 15 * 60_000;
  const sessionTtlMs = options.sessionTtlMs ?? 24 * 3600_000;
  // Sending a private message from a phone takes longer than typing an emailed code.
  const dmTtlMs = options.codeTtlMs ?? 30 * 60_000;

  const resolve = async (token: string): Promise<LinkState> => {
    const check = verifyLinkToken(signingKey, token, clock.now());
    if (!check.ok) return { state: check.reason === 'expired' ? 'expired' : 'invalid' };
    const link = await repos.privateLinks.get(check.id);
    if (!link) return { state: 'invalid' };
    if (link.usedAt !== null) return { state: 'used' };
    return { state: link.codeHash && (link.codeExpiresAt ?? 0) > clock.now() ? 'ask_code' : 'ask_email', link, maskedEmail: link.email ? maskEmail(link.email) : null };
  };

  const mustOpen = async (token: string) => {
    const s = await resolve(token);
    if (s.state !== 'ask_email' && s.state !== 'ask_code') throw new AppError('not_found', s.state === 'used' ? 'this link has already been used' : 'this link is not valid or has expired');
    return s.link;
  };

  /** The session a verified customer holds, for this link only. */
  const sessionLink = async (token: string, sessionToken: string | undefined): Promise<PrivateLink | null> => {
    if (!sessionToken) return null;
    const link = await repos.privateLinks.bySession(hashToken(sessionToken));
    if (!link || (link.sessionExpiresAt ?? 0) <= clock.now()) return null;
    const id = token.split('.')[0];
    return link.id === id ? link : null;
  };

  /** Issues a signed single-use link inside the caller's transaction (automation rules use this). */
  const issueLink = async (tx: Repositories, conversationId: string, actor: Actor, now: number): Promise<{ url: string; expiresAt: number; linkId: string }> => {
    const link = { id: newId(), conversationId, createdBy: actor.userId, createdAt: now, expiresAt: now + linkTtlMs };
    if (!(await tx.conversations.get(conversationId))) throw new AppError('conversation_not_found', `no conversation ${conversationId}`);
    await tx.privateLinks.create(link);
    await recordAudit(tx, actor, now, 'conversation.private_link', { type: 'conversation', id: conversationId }, { linkId: link.id, expiresAt: link.expiresAt });
    return { url: `${publicUrl}/p/private/${signLinkToken(signingKey, link.id, link.expiresAt)}`, expiresAt: link.expiresAt, linkId: link.id };
  };

  const emailProof = createPrivateEmailProof({
    repos, uow, clock, events, signingKey, mailer, mailRoute, mustOpen, codeTtlMs, sessionTtlMs,
    maxCodeAttempts: options.maxCodeAttempts ?? 5,
    maxCodeSends: options.maxCodeSends ?? 3,
  });

  return {
    issueLink,

    async createLink(conversationId: string, actor: Actor): Promise<{ url: string; expiresAt: number; linkId: string }> {
      return uow((tx) => issueLink(tx, conversationId, actor, clock.now()));
    },

    resolve,
    sessionLink,

    /** A form token bound to the session, for the message form (the cookie alone would let another site post). */
    csrfFor: (sessionToken: string): string => hmacHex(signingKey, `csrf:${sessionToken}`).slice(0, 32),

    /** The email proof this link may offer: the customer's known addresses, masked, or why there is none. */
    emailOptions: emailProof.optionsFor,
    requestCode: emailProof.requestCode,
    verifyCode: emailProof.verifyCode,

    /** The account that posted publicly, which a proof by private message must come from (null: no such proof here). */
    posterOf: (link: PrivateLink) => repos.privateLinks.posterOf(link.conversationId),

    /** Starts a proof by private message: the browser keeps the nonce; the page shows the code to send from the posting handle. */
    async requestDmProof(token: string): Promise<{ nonce: string; code: string; handle: string | null; platform: string }> {
      const link = await mustOpen(token);
      const poster = await repos.privateLinks.posterOf(link.conversationId);
      if (!poster) throw new AppError('conflict', 'this conversation did not start from a public post, so there is no account to prove by private message');
      const nonce = randomToken();
      await repos.privateLinks.requestDm(link.id, hashToken(nonce), poster, clock.now());
      return { nonce, code: dmProofCode(signingKey, link.id, nonce), handle: poster.handle, platform: poster.platform };
    },

    /**
     * This browser's pending proof by private message: the code to show while waiting, or, once a private message
     * carrying it has arrived from the account that posted, a session (the link is spent and, when the sender is held
     * as another customer, the two are merged as strong evidence).
     */
    async checkDmProof(token: string, nonce: string | undefined): Promise<{ state: 'none' } | { state: 'waiting'; code: string; platform: string } | { state: 'verified'; sessionToken: string; expiresAt: number }> {
      if (!nonce) return { state: 'none' };
      const s = await resolve(token);
      if (s.state !== 'ask_email' && s.state !== 'ask_code') return { state: 'none' };
      const { link } = s;
      const now = clock.now();
      if (!link.dm || !constantTimeEqual(link.dm.nonceHash, hashToken(nonce)) || link.dm.requestedAt + dmTtlMs <= now) return { state: 'none' };
      const dm = link.dm;
      const code = dmProofCode(signingKey, link.id, nonce);
      // The code cannot be sent before it was shown; the margin only absorbs the platform's clock being behind ours.
      const sent = (await repos.privateLinks.privateMessagesFrom(dm.platform, dm.platformId, dm.requestedAt - 5 * 60_000)).find((m) => carriesDmProofCode(m.text, code));
      if (!sent) return { state: 'waiting', code, platform: dm.platform };
      const sessionToken = randomToken();
      const expiresAt = now + sessionTtlMs;
      await uow(async (tx) => {
        const conversation = await tx.conversations.get(link.conversationId);
        if (!(await tx.privateLinks.consume(link.id, hashToken(sessionToken), expiresAt, null, now))) throw new AppError('conflict', 'this link has already been used');
        await tx.privateLinks.recordDmProof(link.id, sent.id);
        const actor = { userId: `customer:${link.id}`, role: 'customer', requestId: `private-link:${link.id}` };
        const merge = conversation?.customerId && sent.customerId && sent.customerId !== conversation.customerId
          ? await mergeCustomersRecorded(tx, { sourceId: sent.customerId, targetId: conversation.customerId, reason: 'private_link_dm_proof', evidence: [`${dm.platform} account ${dm.platformId} sent the one-time code by private message`], actor, now })
          : null;
        await tx.audit.append({ id: newId(), at: now, actorId: actor.userId, actorRole: 'customer', action: 'conversation.private_verified', targetType: 'conversation', targetId: link.conversationId, data: { linkId: link.id, method: 'private_message', platform: dm.platform, messageId: sent.id, mergeId: merge?.mergeId ?? null } });
      });
      events.publish({ type: 'conversations.changed', conversationIds: [link.conversationId] });
      return { state: 'verified', sessionToken, expiresAt };
    },

    /** The private part of the conversation, for the verified customer's page. */
    async thread(link: PrivateLink) {
      const messages = await repos.messages.listByConversation(link.conversationId, 500);
      return messages.filter((m) => m.visibility === 'private' && m.createdAt >= link.createdAt).map((m) => ({ id: m.id, direction: m.direction, text: m.text, createdAt: m.createdAt }));
    },

    /** A message the verified customer writes: a private inbound message in the same conversation. */
    async postAsCustomer(link: PrivateLink, text: string): Promise<string> {
      const body = text.trim();
      if (!body) throw new AppError('validation_failed', 'write a message', 'text');
      const now = clock.now();
      const id = newId();
      await uow(async (tx) => {
        const conversation = await tx.conversations.get(link.conversationId);
        if (!conversation) throw new AppError('not_found', 'this conversation no longer exists');
        await tx.messages.insertMany([{
          id, channelId: conversation.channelId, externalId: `private:${id}`, direction: 'in', kind: 'chat', visibility: 'private',
          author: { platformId: `email:${link.email ?? 'unknown'}`, handle: null, displayName: null, followers: 0, verified: true, email: link.email },
          text: body, html: null, subject: null, attachments: [], inReplyTo: null, threadKey: conversation.threadKey, url: null, listening: false,
          createdAt: now, receivedAt: now, editedAt: null, raw: null, stage: 'decided', conversationId: conversation.id, customerId: conversation.customerId,
        }]);
        await tx.conversations.recordActivity({ id: conversation.id, messageId: id, at: now, preview: body.slice(0, 160), direction: 'in', customerId: conversation.customerId, sentiment: null, intent: null, language: null });
        if (conversation.status === 'resolved' || conversation.status === 'closed') await tx.conversations.setStatus(conversation.id, 'open', now);
      });
      events.publish({ type: 'conversations.changed', conversationIds: [link.conversationId] });
      return id;
    },

    /**
     * An agent's private answer, never posted in public. A customer who proved themselves by private message is
     * answered there, through the outbound-reply writer; one who proved an email address gets it by the email channel's
     * outbox or the system mailer. Either way the customer's private page shows it.
     */
    async replyPrivately(conversationId: string, text: string, actor: Actor): Promise<{ messageId: string; outboxId: string | null; delivery: 'platform_dm' | 'email_channel' | 'system_mail' | 'page_only' }> {
      const body = text.trim();
      if (!body) throw new AppError('validation_failed', 'a reply needs text', 'text');
      const now = clock.now();
      const messageId = newId();
      const sent = await uow(async (tx) => {
        const conversation = await tx.conversations.get(conversationId);
        if (!conversation) throw new AppError('conversation_not_found', `no conversation ${conversationId}`);
        const verified = await tx.privateLinks.verifiedFor(conversationId);
        if (!verified) throw new AppError('conflict', 'the customer has not verified a private link for this conversation yet');
        const dm = verified.dmMessageId ? await tx.messages.get(verified.dmMessageId) : null;
        const dmChannel = dm ? await tx.channels.get(dm.channelId) : null;
        if (dm && dmChannel && dm.channelId === conversation.channelId) {
          const answering = { externalId: dm.externalId, kind: 'dm', authorPlatformId: dm.author.platformId, authorHandle: dm.author.handle, authorEmail: null };
          const queued = await queueOutboundReply(tx, { conversation, channel: dmChannel, answering, text: body, visibility: 'private', idempotencyKey: `private-reply:${messageId}`, sentBy: actor.userId, now, isFirstResponse: true });
          if (!queued) throw new AppError('conflict', 'this reply was already sent');
          await recordAudit(tx, actor, now, 'conversation.reply', { type: 'conversation', id: conversationId }, { messageId: queued.messageId, outboxId: queued.outboxId, visibility: 'private', delivery: 'platform_dm' });
          return { messageId: queued.messageId, outboxId: queued.outboxId as string | null, delivery: 'platform_dm', email: '', subject: '' } as const;
        }
        const email = verified.email;
        if (!email) throw new AppError('conflict', 'the customer proved themselves by a private message we cannot answer on this channel; ask them in the private page for an email address');
        const how = await mailRoute(tx, conversation.channelId);
        const outboxId = how === 'channel' ? newId() : null;
        await tx.messages.insertMany([{
          id: messageId, channelId: conversation.channelId, externalId: outboxId ? `pending:${outboxId}` : `private:${messageId}`, direction: 'out', kind: 'email', visibility: 'private',
          author: { platformId: `parley:${conversation.channelId}`, handle: null, displayName: null, followers: 0, verified: true, email: null },
          text: body, html: null, subject: null, attachments: [], inReplyTo: null, threadKey: conversation.threadKey, url: null, listening: false,
          createdAt: now, receivedAt: now, editedAt: null, raw: null, stage: 'decided', conversationId, customerId: conversation.customerId, sentByUserId: actor.userId,
        }]);
        const subject = conversation.subject ?? 'Your conversation with us';
        if (outboxId) await tx.outbox.enqueue({ id: outboxId, idempotencyKey: `private-reply:${messageId}`, channelId: conversation.channelId, conversationId, messageId, kind: 'email', payload: { text: body, subject, recipient: { platformId: email, email }, threadKey: conversation.threadKey }, createdBy: actor.userId, now });
        await tx.conversations.recordActivity({ id: conversationId, messageId, at: now, preview: body.slice(0, 160), direction: 'out', customerId: null, sentiment: null, intent: null, language: null });
        await tx.conversations.recordFirstResponse(conversationId, now);
        const delivery = how === 'channel' ? 'email_channel' : how === 'system' ? 'system_mail' : 'page_only';
        await recordAudit(tx, actor, now, 'conversation.reply', { type: 'conversation', id: conversationId }, { messageId, outboxId, visibility: 'private', delivery });
        return { messageId, outboxId, delivery, email, subject } as const;
      });
      if (sent.outboxId) events.publish({ type: 'outbox.enqueued' });
      events.publish({ type: 'conversations.changed', conversationIds: [conversationId] });
      if (sent.delivery === 'system_mail') {
        try {
          await mailer!.send({ to: sent.email, subject: sent.subject, text: `${body}\n\nYou can also read and answer this on your private conversation page.` });
        } catch {
          throw new AppError('unavailable', 'the reply is saved and shows on the customer\'s private page, but the email could not be sent; try again later');
        }
      }
      return { messageId: sent.messageId, outboxId: sent.outboxId, delivery: sent.delivery };
    },
  };
};

export type PrivateHandoffService = ReturnType<typeof createPrivateHandoffService>;
