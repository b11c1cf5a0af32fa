import { checkReply, redactPii, type PiiFinding } from '../../shared/pii/index.js';
import type { Actor } from '../../shared/permissions.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { Logger } from '../platform/logger.js';
import type { ImpostorAlert, ImpostorAlertStatus, ScannedMessage } from '../repositories/impostor-alerts.repository.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';
import { scoreImpostor } from '../trust/impostor/index.js';
import { officialIdentityOf } from '../trust/official-identity.js';
import { compileAllowed, PII_ALLOW_KEY, validateRegions, type AllowedPattern } from '../trust/pii-allow.js';
import { recordAudit } from './audit.js';
import type { ConversationsService } from './conversations.service.js';
import type { PrivateHandoffService } from './private-handoff.service.js';

const cursorKey = 'trust.scan.decidedAt';
const autoReplyKey = 'trust.piiAutoReply';
/** The customer's own data that should not stay in public; names and order numbers alone are not worth a reply. */
const exposingTypes = new Set(['email', 'phone', 'card', 'iban', 'ssn', 'dob', 'address', 'account_number', 'otp', 'password']);

export interface PiiAutoReply {
  enabled: boolean;
  /** `{link}` is replaced by a private link. */
  text: string;
  /** Replace the personal data in Parley's stored copies of the post with its type ("[card]"). */
  redact: boolean;
}

export const defaultPiiAutoReply: PiiAutoReply = {
  enabled: false,
  text: 'For your safety, please delete the post with your personal details. We can continue privately here: {link}',
  redact: true,
};

/**
 * Watches public threads after the pipeline has decided them: look-alike accounts answering customers raise impostor
 * alerts; customers who post their own personal data in public get the conversation flagged (and, when enabled, an
 * automatic reply advising removal with a private link). Runs on a timer in the worker role, from a saved cursor.
 */
export const createImpostorsService = (deps: { repos: Repositories; uow: UnitOfWork; clock: Clock; logger: Logger; conversations: ConversationsService; handoff: PrivateHandoffService }) => {
  const { repos, uow, clock, logger } = deps;
  const actor: Actor = { userId: 'system', role: 'admin', requestId: 'trust-scan' };

  // The handles our accounts post under change rarely, and finding them reads the channel's outbound messages:
  // kept per channel for a few minutes instead of read again on every scan (every few seconds).
  const ownHandles = new Map<string, { at: number; handles: string[] }>();
  const ownHandlesTtlMs = 5 * 60_000;
  const ownHandlesOf = async (channelId: string): Promise<string[]> => {
    const now = clock.now();
    const cached = ownHandles.get(channelId);
    if (cached && now - cached.at < ownHandlesTtlMs && now >= cached.at) return cached.handles;
    const handles = await repos.officialReplies.ownHandles(channelId);
    ownHandles.set(channelId, { at: now, handles });
    return handles;
  };

  const officialFor = async (channelId: string) => {
    const channel = await repos.channels.get(channelId);
    const brands = await repos.officialReplies.brands();
    const brand = brands.find((b) => b.id === channel?.brandId);
    const handles = [...(brand?.handles ?? brands.flatMap((b) => b.handles)), ...(await ownHandlesOf(channelId))];
    const names = brand ? [brand.name] : brands.length ? brands.map((b) => b.name) : [channel?.name ?? ''];
    return { identity: officialIdentityOf(handles, names), ownIds: new Set(channel?.ownAccountIds ?? []) };
  };

  const checkImpostor = async (m: ScannedMessage, official: Awaited<ReturnType<typeof officialFor>>): Promise<boolean> => {
    if (!m.parent || !m.author.handle || official.ownIds.has(m.author.platformId)) return false;
    const verdict = scoreImpostor({ handle: m.author.handle, displayName: m.author.displayName ?? '', followers: m.author.followers, verified: m.author.verified }, official.identity);
    if (!verdict.isImpostor) return false;
    return repos.impostorAlerts.raise({ id: newId(), messageId: m.id, channelId: m.channelId, conversationId: m.conversationId, victimMessageId: m.parent.id, author: { platformId: m.author.platformId, handle: m.author.handle, displayName: m.author.displayName }, score: verdict.score, evidence: verdict.evidence, createdAt: clock.now() });
  };

  const piiAutoReply = async (): Promise<PiiAutoReply> => ({ ...defaultPiiAutoReply, ...((await repos.settings.get<Partial<PiiAutoReply>>(autoReplyKey)) ?? {}) });

  const checkPii = async (m: ScannedMessage): Promise<boolean> => {
    const types = [...new Set(m.pii.map((f) => f.type).filter((t) => exposingTypes.has(t)))];
    if (!m.conversationId || types.length === 0) return false;
    const flagged = await repos.impostorAlerts.flag({ id: newId(), conversationId: m.conversationId, messageId: m.id, kind: 'customer_pii_public', detail: { types, spans: m.pii.filter((f) => exposingTypes.has(f.type)) }, createdAt: clock.now() });
    if (!flagged) return false;
    const auto = await piiAutoReply();
    if (auto.redact) {
      const message = await repos.messages.get(m.id);
      if (message) await repos.impostorAlerts.redactMessage(m.id, redactPii(message.text, m.pii.filter((f) => exposingTypes.has(f.type)) as PiiFinding[]));
    }
    if (auto.enabled) {
      const link = await deps.handoff.createLink(m.conversationId, actor);
      await deps.conversations.reply(m.conversationId, { text: auto.text.replace('{link}', link.url), idempotencyKey: `pii-advice:${m.id}` }, actor);
    }
    return true;
  };

  /**
   * A run of scans shares its cursor and the channels' official identities: a timer tick reads the cursor once and
   * saves it every few pages and at the end, not once per page (on PostgreSQL each save is a commit of its own).
   * Checks are idempotent (one alert per message, replies under an idempotency key), so pages scanned again after a
   * crash before the save change nothing.
   */
  interface ScanRun {
    after: { decidedAt: number; id: string };
    saved: boolean;
    officials: Map<string, Awaited<ReturnType<typeof officialFor>>>;
  }

  const startRun = async (): Promise<ScanRun> => {
    // Stored as the last message's (decidedAt, id); a bare number is the decidedAt an earlier version kept.
    const stored = await repos.settings.get<number | { decidedAt: number; id: string }>(cursorKey);
    const after = typeof stored === 'number' ? { decidedAt: stored, id: '\uffff' } : (stored ?? { decidedAt: 0, id: '' });
    return { after, saved: true, officials: new Map() };
  };

  const saveRun = async (run: ScanRun): Promise<void> => {
    if (run.saved) return;
    await repos.settings.set(cursorKey, run.after, clock.now());
    run.saved = true;
  };

  const scanPage = async (run: ScanRun, limit: number): Promise<{ scanned: number; alerts: number; flagged: number }> => {
    const { messages: batch, scanned, next } = await repos.impostorAlerts.decidedPublicInbound(run.after, limit);
    let alerts = 0;
    let flagged = 0;
    for (const m of batch) {
      let official = run.officials.get(m.channelId);
      if (!official) run.officials.set(m.channelId, (official = await officialFor(m.channelId)));
      if (await checkImpostor(m, official)) alerts += 1;
      if (await checkPii(m)) flagged += 1;
    }
    // Past every message the page read, the ones not checked (inbound private, our own) included.
    if (next) {
      run.after = next;
      run.saved = false;
    }
    return { scanned, alerts, flagged };
  };

  const scan = async (limit = 500): Promise<{ scanned: number; alerts: number; flagged: number }> => {
    const run = await startRun();
    const result = await scanPage(run, limit);
    await saveRun(run);
    return result;
  };

  return {
    scan,
    piiAutoReply,

    /** What an admin allows in public replies although the guard finds it (the company's own hotline, order numbers). */
    async piiAllow(): Promise<{ patterns: AllowedPattern[]; regions: string[] }> {
      const stored = await repos.settings.get<{ patterns?: AllowedPattern[]; regions?: string[] }>(PII_ALLOW_KEY);
      return { patterns: stored?.patterns ?? [], regions: stored?.regions ?? [] };
    },

    /** `regions` left out keeps the stored ones (the phone regions of trust/pii-allow.ts). */
    async setPiiAllow(patterns: AllowedPattern[], by: Actor, regions?: readonly string[]): Promise<{ patterns: AllowedPattern[]; regions: string[] }> {
      compileAllowed(patterns);
      const checkedRegions = regions === undefined ? undefined : validateRegions(regions);
      return uow(async (tx) => {
        const before = await tx.settings.get<{ patterns?: AllowedPattern[]; regions?: string[] }>(PII_ALLOW_KEY);
        const next = { patterns: patterns.map((p) => ({ type: p.type, pattern: p.pattern, ...(p.note ? { note: p.note } : {}) })), regions: checkedRegions ?? before?.regions ?? [] };
        await tx.settings.set(PII_ALLOW_KEY, next, clock.now());
        await recordAudit(tx, by, clock.now(), 'settings.pii_allow.update', { type: 'settings', id: 'pii_allow' }, { before: before ?? { patterns: [] }, after: next });
        return next;
      });
    },

    /** Admin setting: whether customers who post their own data in public get an automatic reply, and its wording. */
    async setPiiAutoReply(input: PiiAutoReply, by: Actor): Promise<PiiAutoReply> {
      if (input.enabled && !input.text.includes('{link}')) throw new AppError('validation_failed', 'the reply text must contain {link}, where the private link goes', 'text');
      const probe = checkReply(input.text.replace('{link}', 'https://example.com/p/private/x'), { visibility: 'public' });
      if (!probe.allowed) throw new AppError('validation_failed', `the reply text itself contains personal data (${probe.findings.map((f) => f.type).join(', ')})`, 'text');
      const next: PiiAutoReply = { enabled: input.enabled, text: input.text, redact: input.redact };
      await uow(async (tx) => {
        const before = await tx.settings.get<unknown>(autoReplyKey);
        await tx.settings.set(autoReplyKey, next, clock.now());
        await recordAudit(tx, by, clock.now(), 'settings.pii_auto_reply.update', { type: 'settings', id: 'pii_auto_reply' }, { before: before ?? defaultPiiAutoReply, after: next });
      });
      return next;
    },

    /** Scans until caught up, every `intervalMs`; returns a stop function. */
    startTimer(intervalMs = 5000): () => Promise<void> {
      let running: Promise<unknown> = Promise.resolve();
      const timer = setInterval(() => {
        // Pages of 100 with the event loop let in between: the checks run on the thread that also answers HTTP,
        // and 5,000 messages decided since the last tick checked in one go held it for about 100 ms.
        running = running.then(async () => {
          const run = await startRun();
          try {
            for (let i = 1; i <= 100; i += 1) {
              if ((await scanPage(run, 100)).scanned < 100) break;
              if (i % 10 === 0) await saveRun(run);
              await new Promise<void>((resolve) => setImmediate(resolve));
            }
          } finally {
            await saveRun(run);
          }
        }).catch((error: unknown) => logger.warn({ err: error }, 'trust scan failed'));
      }, intervalMs);
      timer.unref();
      return async () => {
        clearInterval(timer);
        await running;
      };
    },

    async list(query: { status?: ImpostorAlertStatus; before?: { createdAt: number; id: string }; limit: number }): Promise<{ items: ImpostorAlert[]; next: { createdAt: number; id: string } | null }> {
      const items = await repos.impostorAlerts.list(query.status ? { status: query.status } : {}, query.before ?? null, query.limit + 1);
      const page = items.slice(0, query.limit);
      const last = page.at(-1);
      return { items: page, next: items.length > query.limit && last ? { createdAt: last.createdAt, id: last.id } : null };
    },

    async get(id: string): Promise<ImpostorAlert> {
      const alert = await repos.impostorAlerts.get(id);
      if (!alert) throw new AppError('not_found', `no impostor alert ${id}`);
      return alert;
    },

    /** One click: an official public reply in the thread telling the customer the look-alike is not us. */
    async warn(id: string, by: Actor) {
      const alert = await repos.impostorAlerts.get(id);
      if (!alert) throw new AppError('not_found', `no impostor alert ${id}`);
      if (!alert.conversationId) throw new AppError('conflict', 'the alert has no conversation to reply in');
      if (alert.status !== 'open') throw new AppError('conflict', `the alert is already ${alert.status}`);
      const handle = alert.author.handle ? `@${alert.author.handle.replace(/^@/, '')}` : 'that account';
      const text = `Please be careful: ${handle} is not an official account of ours and may ask for personal or payment details. We will only ever answer from our official accounts, and we never ask for passwords or card numbers in public.`;
      const sent = await deps.conversations.reply(alert.conversationId, { text, idempotencyKey: `impostor-warning:${alert.id}` }, by);
      await uow(async (tx) => {
        await tx.impostorAlerts.markWarned(alert.id, sent.messageId, clock.now());
        await recordAudit(tx, by, clock.now(), 'impostor.warn', { type: 'impostor_alert', id: alert.id }, { messageId: sent.messageId, handle: alert.author.handle });
      });
      return { ...(await repos.impostorAlerts.get(id))!, outboxId: sent.outboxId };
    },

    /** Plain text for the platform's impersonation report form. */
    async report(id: string): Promise<string> {
      const alert = await repos.impostorAlerts.get(id);
      if (!alert) throw new AppError('not_found', `no impostor alert ${id}`);
      const [channel, message, victim] = await Promise.all([repos.channels.get(alert.channelId), repos.messages.get(alert.messageId), alert.victimMessageId ? repos.messages.get(alert.victimMessageId) : null]);
      const official = await officialFor(alert.channelId);
      const brands = await repos.officialReplies.brands();
      return [
        `Impersonation report (${channel?.platform ?? 'unknown platform'})`,
        `Reported account: @${(alert.author.handle ?? '').replace(/^@/, '')} (id ${alert.author.platformId}${alert.author.displayName ? `, shown as "${alert.author.displayName}"` : ''})`,
        `Impersonated organisation: ${brands.map((b) => b.name).join(', ') || channel?.name || ''}`,
        `Our official accounts: ${official.identity.handles.map((h) => `@${h}`).join(', ') || '(none listed)'}`,
        `Offending reply: ${message?.url ?? `message ${alert.messageId}`} at ${message ? new Date(message.createdAt).toISOString() : 'unknown time'}`,
        message?.text ? `Text of the reply: "${message.text.slice(0, 500)}"` : '',
        victim ? `It answered a customer's post: ${victim.url ?? victim.externalId}` : '',
        `Why we believe it impersonates us (score ${alert.score.toFixed(2)}):`,
        ...alert.evidence.map((e) => `- ${e}`),
        `Detected: ${new Date(alert.createdAt).toISOString()}`,
      ].filter(Boolean).join('\n');
    },
  };
};

export type ImpostorsService = ReturnType<typeof createImpostorsService>;
