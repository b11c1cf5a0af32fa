import { randomInt } from 'node:crypto';
import type { Clock } from '../platform/clock.js';
import { constantTimeEqual, hashToken, randomToken } from '../platform/crypto.js';
import { AppError } from '../platform/errors.js';
import type { EventBus } from '../platform/events.js';
import { newId } from '../platform/ids.js';
import { mergeCustomersRecorded } from '../pipeline/identity-links.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';
import type { PrivateLink } from '../repositories/private-links.repository.js';
import { emailChoiceId, maskEmail } from '../trust/email-choice.js';
import { hmacHex } from '../trust/signing.js';
import type { SystemMailer } from '../trust/system-mailer.js';

/** How mail reaches the customer in a conversation: the email channel's own outbox, the system mailer, or not at all. */
export type MailRoute = 'channel' | 'system' | null;

/** What the page may offer for an email proof on this link. */
export interface EmailProofOptions {
  /** The addresses we already hold for this customer, masked, each with the opaque value the form posts. */
  choices: { id: string; masked: string }[];
  /** ok: a code can be sent; none_known: we hold no address; no_mail: no way to send mail; locked: guesses or sends ran out. */
  status: 'ok' | 'none_known' | 'no_mail' | 'locked';
}

export interface PrivateEmailProofDeps {
  repos: Repositories;
  uow: UnitOfWork;
  clock: Clock;
  events: EventBus;
  signingKey: Buffer;
  mailer: SystemMailer | null;
  mailRoute: (tx: Repositories, channelId: string) => Promise<MailRoute>;
  /** The link behind a token while it can still be proved (not spent, not expired), else a not_found AppError. */
  mustOpen: (token: string) => Promise<PrivateLink>;
  codeTtlMs: number;
  sessionTtlMs: number;
  /** Guesses per link, over every code sent for it. */
  maxCodeAttempts: number;
  /** Codes sent per link. */
  maxCodeSends: number;
}

/**
 * The email half of proving who holds a private link. The code goes only to an address we already hold for the
 * customer of the conversation (identity, CRM record, the address their email came from), picked from a masked list:
 * whoever holds the link cannot name an address of their own, so the proof binds the link to the customer.
 */
export const createPrivateEmailProof = (deps: PrivateEmailProofDeps) => {
  const { repos, uow, clock, events, signingKey, mailer } = deps;
  const codeHash = (linkId: string, code: string) => hmacHex(signingKey, `otp:${linkId}:${code}`);
  const locked = (link: PrivateLink) => link.codeAttempts >= deps.maxCodeAttempts || (link.codeSends >= deps.maxCodeSends && !(link.codeHash && (link.codeExpiresAt ?? 0) > clock.now()));

  const optionsFor = async (link: PrivateLink): Promise<EmailProofOptions> => {
    const known = await repos.privateLinks.knownEmailsFor(link.conversationId);
    if (known.length === 0) return { choices: [], status: 'none_known' };
    if (locked(link)) return { choices: [], status: 'locked' };
    const conversation = await repos.conversations.get(link.conversationId);
    if (!conversation || !(await deps.mailRoute(repos, conversation.channelId))) return { choices: [], status: 'no_mail' };
    return { choices: known.map((address) => ({ id: emailChoiceId(signingKey, link.id, address), masked: maskEmail(address) })), status: 'ok' };
  };

  return {
    optionsFor,

    /** Sends a six-digit code to the known address the customer picked (by its opaque choice); only its keyed hash is stored. */
    async requestCode(token: string, choice: string): Promise<{ masked: string }> {
      const link = await deps.mustOpen(token);
      const known = await repos.privateLinks.knownEmailsFor(link.conversationId);
      if (known.length === 0) throw new AppError('validation_failed', 'we hold no email address for you; prove it is you by private message instead', 'choice');
      const address = known.find((a) => constantTimeEqual(emailChoiceId(signingKey, link.id, a), choice.trim()));
      if (!address) throw new AppError('validation_failed', 'choose one of the email addresses shown', 'choice');
      if (link.codeAttempts >= deps.maxCodeAttempts) throw new AppError('rate_limited', 'too many wrong codes for this link; ask us for a new link');
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const now = clock.now();
      const text = `Your verification code is ${code}. It expires in ${Math.round(deps.codeTtlMs / 60_000)} minutes. If you did not ask for it, ignore this email.`;
      const route = await uow(async (tx) => {
        const conversation = await tx.conversations.get(link.conversationId);
        if (!conversation) throw new AppError('not_found', 'this conversation no longer exists');
        const how = await deps.mailRoute(tx, conversation.channelId);
        if (!how) throw new AppError('unavailable', 'we cannot send email codes right now; prove it is you by private message instead, or ask us in the public thread', 'choice');
        if (!(await tx.privateLinks.reserveSend(link.id, deps.maxCodeSends))) throw new AppError('rate_limited', 'we have sent all the codes this link allows; use the last one, or ask us for a new link');
        await tx.privateLinks.setCode(link.id, address, codeHash(link.id, code), now + deps.codeTtlMs);
        if (how === 'system') return how;
        await tx.outbox.enqueue({
          id: newId(),
          idempotencyKey: `private-code:${link.id}:${now}`,
          channelId: conversation.channelId,
          conversationId: conversation.id,
          messageId: null,
          kind: 'email',
          payload: { text, subject: 'Your verification code', recipient: { platformId: address, email: address }, threadKey: null },
          createdBy: null,
          now,
        });
        return how;
      });
      if (route === 'channel') {
        events.publish({ type: 'outbox.enqueued' });
        return { masked: maskEmail(address) };
      }
      try {
        await mailer!.send({ to: address, subject: 'Your verification code', text });
      } catch {
        // Spend the unsent code so the page offers the addresses again; the server's answer stays out of the page.
        await repos.privateLinks.setCode(link.id, address, codeHash(link.id, code), clock.now());
        throw new AppError('unavailable', 'we could not send the code just now; try again in a minute', 'choice');
      }
      return { masked: maskEmail(address) };
    },

    /**
     * Checks the code; on success the link is spent and a session for this conversation begins. The proven address
     * joins the customer as an email identity; a customer held apart under that address is merged in (audited).
     */
    async verifyCode(token: string, code: string): Promise<{ sessionToken: string; expiresAt: number }> {
      const link = await deps.mustOpen(token);
      const now = clock.now();
      if (!link.codeHash || !link.email || (link.codeExpiresAt ?? 0) <= now) throw new AppError('validation_failed', 'the code has expired; ask for a new one', 'code');
      // The guess is counted before it is compared, so guesses sent in parallel cannot exceed the limit.
      if (!(await repos.privateLinks.reserveAttempt(link.id, deps.maxCodeAttempts))) throw new AppError('rate_limited', 'too many wrong codes for this link; ask us for a new link');
      if (!constantTimeEqual(codeHash(link.id, code.trim()), link.codeHash)) {
        if (link.codeAttempts + 1 >= deps.maxCodeAttempts) await repos.privateLinks.dropCode(link.id);
        throw new AppError('validation_failed', 'that code is not right', 'code');
      }
      const sessionToken = randomToken();
      const expiresAt = now + deps.sessionTtlMs;
      const email = link.email;
      const merged = await uow(async (tx) => {
        if (!(await tx.privateLinks.consume(link.id, hashToken(sessionToken), expiresAt, null, now))) throw new AppError('conflict', 'this link has already been used');
        const conversation = await tx.conversations.get(link.conversationId);
        const actor = { userId: `customer:${link.id}`, role: 'customer', requestId: `private-link:${link.id}` };
        let identity: { identityId: string; otherCustomerId: string | null } | null = null;
        let merge: { mergeId: string } | null = null;
        if (conversation?.customerId) {
          identity = await tx.privateLinks.attachEmailIdentity(newId(), conversation.customerId, email, now);
          await tx.privateLinks.setIdentity(link.id, identity.identityId);
          if (identity.otherCustomerId) {
            merge = await mergeCustomersRecorded(tx, { sourceId: identity.otherCustomerId, targetId: conversation.customerId, reason: 'private_link_email_proof', evidence: [`the customer proved ${maskEmail(email)}, an address already held for them, with a one-time code`], actor, now });
          }
        }
        // The customer has no user account: the entry names the link they proved, not a staff role.
        await tx.audit.append({ id: newId(), at: now, actorId: actor.userId, actorRole: 'customer', action: 'conversation.private_verified', targetType: 'conversation', targetId: link.conversationId, data: { linkId: link.id, method: 'email', email: maskEmail(email), identityId: identity?.identityId ?? null, mergeId: merge?.mergeId ?? null } });
        return merge !== null;
      });
      if (merged) events.publish({ type: 'conversations.changed', conversationIds: [link.conversationId] });
      return { sessionToken, expiresAt };
    },
  };
};
