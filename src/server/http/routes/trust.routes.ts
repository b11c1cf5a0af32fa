import { z } from 'zod';
import { idSchema } from '../../../shared/api.js';
import type { AuditLogService } from '../../services/audit-log.service.js';
import type { DataRightsService } from '../../services/data-rights.service.js';
import type { ImpostorsService } from '../../services/impostors.service.js';
import type { PrivateHandoffService } from '../../services/private-handoff.service.js';
import type { VerificationService } from '../../services/verification.service.js';
import type { ImpostorAlert } from '../../repositories/impostor-alerts.repository.js';
import { AppError } from '../../platform/errors.js';
import { actorOf } from '../auth.js';
import type { App } from '../types.js';

const params = z.strictObject({ id: idSchema });

const auditEntrySchema = z.object({ seq: z.number(), id: z.string(), at: z.string(), actorId: z.string().nullable(), actorRole: z.string().nullable(), action: z.string(), targetType: z.string().nullable(), targetId: z.string().nullable(), data: z.record(z.string(), z.unknown()), hash: z.string() });
const alertSchema = z.object({ id: z.string(), status: z.enum(['open', 'warned', 'dismissed']), channelId: z.string(), conversationId: z.string().nullable(), messageId: z.string(), victimMessageId: z.string().nullable(), author: z.object({ platformId: z.string(), handle: z.string().nullable(), displayName: z.string().nullable() }), score: z.number(), evidence: z.array(z.string()), warningMessageId: z.string().nullable(), createdAt: z.string() });

const toAlertDto = (a: ImpostorAlert) => ({ id: a.id, status: a.status, channelId: a.channelId, conversationId: a.conversationId, messageId: a.messageId, victimMessageId: a.victimMessageId, author: a.author, score: a.score, evidence: a.evidence, warningMessageId: a.warningMessageId, createdAt: new Date(a.createdAt).toISOString() });

const encodeAlertCursor = (c: { createdAt: number; id: string }) => Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url');
const decodeAlertCursor = (text: string): { createdAt: number; id: string } => {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof createdAt === 'number' && typeof id === 'string') return { createdAt, id };
  } catch {
    // reported below
  }
  throw new AppError('validation_failed', 'cursor is not one this API returned', 'cursor');
};

/** The trust API: audit log, private hand-off, proof of replies, impostor alerts, retention, erasure and export. */
export const registerTrustRoutes = (app: App, deps: { audit: AuditLogService; handoff: PrivateHandoffService; verification: VerificationService; impostors: ImpostorsService; dataRights: DataRightsService }) => {
  const { audit, handoff, verification, impostors, dataRights } = deps;

  app.get('/api/v1/audit', {
    config: { auth: 'audit:read' },
    schema: { tags: ['trust'], summary: 'The audit log, newest first, keyset-paged by seq', querystring: z.strictObject({ before: z.coerce.number().int().min(1).optional(), limit: z.coerce.number().int().min(1).max(500).default(100), action: z.string().max(100).optional() }), response: { 200: z.object({ items: z.array(auditEntrySchema), nextBefore: z.number().nullable() }) } },
  }, async (request) => {
    const page = await audit.list({ limit: request.query.limit, ...(request.query.before ? { beforeSeq: request.query.before } : {}), ...(request.query.action ? { action: request.query.action } : {}) });
    return { items: page.items.map((e) => ({ seq: e.seq, id: e.id, at: new Date(e.at).toISOString(), actorId: e.actorId, actorRole: e.actorRole, action: e.action, targetType: e.targetType, targetId: e.targetId, data: e.data, hash: e.hash })), nextBefore: page.nextBefore };
  });

  app.get('/api/v1/audit/verify', {
    config: { auth: 'audit:read' },
    schema: { tags: ['trust'], summary: 'Recompute the hash chain from genesis', response: { 200: z.object({ ok: z.boolean(), count: z.number(), brokenAt: z.number().nullable(), problem: z.string().nullable() }) } },
  }, async () => {
    const v = await audit.verify();
    return v.ok ? { ok: true, count: v.count, brokenAt: null, problem: null } : { ok: false, count: v.count, brokenAt: v.brokenAt, problem: v.problem };
  });

  app.post('/api/v1/conversations/:id/private-link', {
    config: { auth: 'conversations:write' },
    schema: { tags: ['trust'], summary: 'Create a signed, single-use, expiring link to continue the conversation privately, with a short public reply to post', params, response: { 201: z.object({ url: z.string(), expiresAt: z.string(), suggestedReply: z.string() }) } },
  }, async (request, reply) => {
    const link = await handoff.createLink(request.params.id, actorOf(request));
    return reply.code(201).send({ url: link.url, expiresAt: new Date(link.expiresAt).toISOString(), suggestedReply: `We'd like to help with this privately so your details stay safe. Please continue here: ${link.url}` });
  });

  app.post('/api/v1/conversations/:id/private-reply', {
    config: { auth: 'conversations:write' },
    schema: { tags: ['trust'], summary: 'Reply in the private part of a conversation (emailed to the customer\'s verified address)', params, body: z.strictObject({ text: z.string().min(1).max(10_000) }), response: { 202: z.object({ messageId: z.string(), outboxId: z.string().nullable(), delivery: z.enum(['platform_dm', 'email_channel', 'system_mail', 'page_only']) }) } },
  }, async (request, reply) => reply.code(202).send(await handoff.replyPrivately(request.params.id, request.body.text, actorOf(request))));

  app.post('/api/v1/conversations/:id/verified-reply', {
    config: { auth: 'conversations:write' },
    schema: { tags: ['trust'], summary: 'Public reply carrying a link anyone can use to check it is ours', params, body: z.strictObject({ text: z.string().min(1).max(9_000) }), response: { 202: z.object({ messageId: z.string(), outboxId: z.string(), duplicate: z.boolean(), code: z.string() }) } },
  }, async (request, reply) => reply.code(202).send(await verification.replyWithProof(request.params.id, request.body.text, actorOf(request))));

  const proofMode = z.enum(['off', 'code', 'link']);
  const proofSchema = z.object({ mode: proofMode, channels: z.record(z.string(), proofMode) });
  app.get('/api/v1/trust/reply-proof', {
    config: { auth: 'settings:read' },
    schema: { tags: ['trust'], summary: 'How public replies carry their proof of origin (link, short code or nothing), per workspace and channel', response: { 200: proofSchema } },
  }, async () => verification.proofSettings());

  app.put('/api/v1/trust/reply-proof', {
    config: { auth: 'settings:manage' },
    schema: { tags: ['trust'], summary: 'Set how public replies carry their proof of origin', body: z.strictObject({ mode: proofMode, channels: z.record(idSchema, proofMode).optional() }), response: { 200: proofSchema } },
  }, async (request) => verification.setProofSettings(request.body, actorOf(request)));

  const piiAutoReplySchema = z.object({ enabled: z.boolean(), text: z.string(), redact: z.boolean() });
  app.get('/api/v1/trust/pii-auto-reply', {
    config: { auth: 'settings:read' },
    schema: { tags: ['trust'], summary: 'The automatic public reply to customers who post their own personal data, and whether stored copies are redacted', response: { 200: piiAutoReplySchema } },
  }, async () => impostors.piiAutoReply());

  app.put('/api/v1/trust/pii-auto-reply', {
    config: { auth: 'settings:manage' },
    schema: { tags: ['trust'], summary: 'Configure the automatic public reply to customers who post their own personal data ({link} marks the private link)', body: z.strictObject({ enabled: z.boolean(), text: z.string().min(1).max(1000), redact: z.boolean().default(true) }), response: { 200: piiAutoReplySchema } },
  }, async (request) => impostors.setPiiAutoReply(request.body, actorOf(request)));

  const allowedPattern = z.object({ type: z.string().min(1).max(50), pattern: z.string().min(1).max(200), note: z.string().max(200).optional() });
  const piiAllowSchema = z.object({ patterns: z.array(allowedPattern), regions: z.array(z.string()) });
  app.get('/api/v1/trust/pii-allow', {
    config: { auth: 'settings:read' },
    schema: { tags: ['trust'], summary: 'Personal data the workspace allows in public replies (exact email addresses and phone numbers, patterns for other types; never cards, IBANs, national ids, codes or passwords), and the regions whose national phone format the guard reads', response: { 200: piiAllowSchema } },
  }, async () => impostors.piiAllow());

  app.put('/api/v1/trust/pii-allow', {
    config: { auth: 'settings:manage' },
    schema: { tags: ['trust'], summary: 'Set the personal data allowed in public replies and, optionally, the phone regions (ISO alpha-2; the first reads numbers without a country code, default US; left out keeps the stored ones)', body: z.strictObject({ patterns: z.array(allowedPattern.strict()).max(50), regions: z.array(z.string().max(8)).max(20).optional() }), response: { 200: piiAllowSchema } },
  }, async (request) => impostors.setPiiAllow(request.body.patterns, actorOf(request), request.body.regions));

  app.get('/api/v1/impostor-alerts', {
    config: { auth: 'conversations:read' },
    schema: { tags: ['trust'], summary: 'Look-alike accounts answering customers, newest first', querystring: z.strictObject({ status: z.enum(['open', 'warned', 'dismissed']).optional(), cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }), response: { 200: z.object({ items: z.array(alertSchema), nextCursor: z.string().nullable() }) } },
  }, async (request) => {
    const page = await impostors.list({ limit: request.query.limit, ...(request.query.status ? { status: request.query.status } : {}), ...(request.query.cursor ? { before: decodeAlertCursor(request.query.cursor) } : {}) });
    return { items: page.items.map(toAlertDto), nextCursor: page.next ? encodeAlertCursor(page.next) : null };
  });

  app.post('/api/v1/impostor-alerts/:id/warn', {
    config: { auth: 'conversations:write' },
    schema: { tags: ['trust'], summary: 'Queue an official public reply in the thread warning the customer about the impostor', params, response: { 202: alertSchema.extend({ outboxId: z.string() }) } },
  }, async (request, reply) => {
    const warned = await impostors.warn(request.params.id, actorOf(request));
    return reply.code(202).send({ ...toAlertDto(warned), outboxId: warned.outboxId });
  });

  app.get('/api/v1/impostor-alerts/:id/report', {
    config: { auth: 'conversations:read' },
    schema: { tags: ['trust'], summary: 'Text for the platform\'s impersonation report form', params },
  }, async (request, reply) => reply.type('text/plain; charset=utf-8').send(await impostors.report(request.params.id)));

  app.put('/api/v1/channels/:id/retention', {
    config: { auth: 'channels:manage' },
    schema: { tags: ['trust'], summary: 'Keep message text and raw payloads of a channel for N days (null: for ever); metrics stay', params, body: z.strictObject({ days: z.number().int().min(1).max(36_500).nullable() }), response: { 200: z.object({ channelId: z.string(), days: z.number().nullable() }) } },
  }, async (request) => dataRights.setRetention(request.params.id, request.body.days, actorOf(request)));

  app.get('/api/v1/retention', {
    config: { auth: 'channels:manage' },
    schema: { tags: ['trust'], summary: 'Retention policies per channel', response: { 200: z.object({ items: z.array(z.object({ channelId: z.string(), days: z.number() })) }) } },
  }, async () => ({ items: (await dataRights.policies()).map((p) => ({ channelId: p.channelId, days: p.days })) }));

  app.post('/api/v1/customers/:id/erase', {
    config: { auth: 'customers:erase' },
    schema: { tags: ['trust'], summary: 'Erase a customer: message text and identities removed, a tombstone keeps the metrics honest', params, response: { 200: z.object({ customerId: z.string(), erasedAt: z.string(), messages: z.number(), identities: z.number() }) } },
  }, async (request) => {
    const t = await dataRights.erase(request.params.id, actorOf(request));
    return { customerId: t.customerId, erasedAt: new Date(t.erasedAt).toISOString(), messages: t.messages, identities: t.identities };
  });

  app.get('/api/v1/customers/:id/export', {
    config: { auth: 'customers:erase' },
    schema: { tags: ['trust'], summary: 'Everything held about a customer, as a JSON file', params },
  }, async (request, reply) => {
    const data = await dataRights.exportCustomer(request.params.id, actorOf(request));
    return reply.header('content-disposition', `attachment; filename="customer-${request.params.id}.json"`).type('application/json').send(JSON.stringify(data, null, 2));
  });
};
