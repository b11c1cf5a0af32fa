import type { Actor } from '../../shared/permissions.js';
import type { Clock } from '../platform/clock.js';
import type { EventBus } from '../platform/events.js';
import type { Logger } from '../platform/logger.js';
import { AppError } from '../platform/errors.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';
import { scoreImpostor } from '../trust/impostor/index.js';
import { officialIdentityOf, type OfficialAccount } from '../trust/official-identity.js';
import { defaultReplyProof, newVerificationCode, normaliseCode, proofLink, REPLY_PROOF_KEY, type ReplyProofMode, type ReplyProofSettings } from '../trust/reply-proof.js';
import { recordAudit } from './audit.js';
import type { ConversationsService } from './conversations.service.js';

export { newVerificationCode, normaliseCode };

export interface VerificationResult {
  code: string;
  official: boolean;
  reply: { channel: string; platform: string; sentAt: string; url: string | null } | null;
  officialAccounts: OfficialAccount[];
}

/** Proof of official replies: a code per public reply, a public check, and the list of official accounts. */
export const createVerificationService = (deps: { repos: Repositories; uow: UnitOfWork; clock: Clock; events: EventBus; logger: Logger; publicUrl: string; conversations: ConversationsService }) => {
  const { repos, uow, clock, events, logger, publicUrl } = deps;

  const assignCodes = async (conversationIds: readonly string[]): Promise<number> => {
    const uncoded = await repos.officialReplies.uncoded(conversationIds);
    let n = 0;
    for (const m of uncoded) if (await repos.officialReplies.record({ code: newVerificationCode(), messageId: m.id, conversationId: m.conversationId, channelId: m.channelId, createdAt: clock.now() })) n += 1;
    return n;
  };

  const officialAccounts = async (): Promise<OfficialAccount[]> => {
    const [channels, brands] = await Promise.all([repos.channels.list(), repos.officialReplies.brands()]);
    const out: OfficialAccount[] = [];
    for (const b of brands) for (const handle of b.handles) out.push({ platform: null, handle, brand: b.name });
    for (const c of channels.filter((ch) => ch.status !== 'removed')) {
      for (const handle of await repos.officialReplies.ownHandles(c.id)) out.push({ platform: c.platform, handle, brand: brands.find((b) => b.id === c.brandId)?.name ?? c.name });
    }
    const seen = new Set<string>();
    return out.filter((a) => (seen.has(a.handle.toLowerCase()) ? false : (seen.add(a.handle.toLowerCase()), true)));
  };

  return {
    assignCodes,
    officialAccounts,

    /** Gives every public reply a code as soon as it is written, whichever path wrote it. */
    watch(): () => void {
      return events.subscribe((event, meta) => {
        // Another process's change is coded by that process.
        if (event.type !== 'conversations.changed' || meta.remote) return;
        assignCodes(event.conversationIds).catch((error: unknown) => logger.warn({ err: error }, 'could not assign verification codes'));
      });
    },

    /** A public reply that carries its proof link whatever the workspace setting; the outbound writer files the code. */
    async replyWithProof(conversationId: string, text: string, actor: Actor, idempotencyKey?: string) {
      const code = newVerificationCode();
      const result = await deps.conversations.reply(conversationId, { text: `${text.trim()}\n\nVerify this reply: ${proofLink(publicUrl, code)}`, ...(idempotencyKey ? { idempotencyKey } : {}) }, actor);
      const stored = await repos.officialReplies.byMessage(result.messageId);
      return { ...result, code: stored?.code ?? code };
    },

    /** How public replies carry their proof: workspace mode and per-channel overrides. */
    async proofSettings(): Promise<ReplyProofSettings> {
      return { ...defaultReplyProof, ...((await repos.settings.get<Partial<ReplyProofSettings>>(REPLY_PROOF_KEY)) ?? {}) };
    },

    async setProofSettings(input: { mode: ReplyProofMode; channels?: Record<string, ReplyProofMode> }, actor: Actor): Promise<ReplyProofSettings> {
      const next: ReplyProofSettings = { mode: input.mode, channels: input.channels ?? {} };
      await uow(async (tx) => {
        for (const id of Object.keys(next.channels)) if (!(await tx.channels.get(id))) throw new AppError('channel_not_found', `no channel ${id}`, `channels.${id}`);
        const before = await tx.settings.get<unknown>(REPLY_PROOF_KEY);
        await tx.settings.set(REPLY_PROOF_KEY, next, clock.now());
        await recordAudit(tx, actor, clock.now(), 'settings.reply_proof.update', { type: 'settings', id: 'reply_proof' }, { before: before ?? defaultReplyProof, after: next });
      });
      return next;
    },

    async check(rawCode: string): Promise<VerificationResult> {
      const code = normaliseCode(rawCode);
      const [found, accounts] = await Promise.all([code ? repos.officialReplies.byCode(code) : null, officialAccounts()]);
      if (!found) return { code, official: false, reply: null, officialAccounts: accounts };
      const [message, channel] = await Promise.all([repos.messages.get(found.messageId), repos.channels.get(found.channelId)]);
      const sentOk = message !== null && message.deletedAt === null;
      return {
        code,
        official: sentOk,
        reply: sentOk ? { channel: channel?.name ?? '', platform: channel?.platform ?? '', sentAt: new Date(message.createdAt).toISOString(), url: message.url } : null,
        officialAccounts: accounts,
      };
    },

    /** Is this handle one of ours, and if not, does it look like one of ours? */
    async checkHandle(handle: string): Promise<{ handle: string; official: boolean; lookAlike: boolean; evidence: string[] }> {
      const accounts = await officialAccounts();
      const brands = await repos.officialReplies.brands();
      const normal = handle.trim().replace(/^@/, '').toLowerCase();
      if (accounts.some((a) => a.handle.replace(/^(@|u\/)/, '').toLowerCase() === normal)) return { handle, official: true, lookAlike: false, evidence: ['listed as an official account'] };
      const verdict = scoreImpostor({ handle, displayName: handle }, officialIdentityOf(accounts.map((a) => a.handle), brands.map((b) => b.name)));
      return { handle, official: false, lookAlike: verdict.isImpostor, evidence: verdict.evidence };
    },
  };
};

export type VerificationService = ReturnType<typeof createVerificationService>;
