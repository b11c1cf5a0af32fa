import { z } from 'zod';
import { idSchema, incidentFanOutSchema, incidentMemberSchema, incidentSchema, page, publicStatusSchema, type IncidentDto } from '../../../shared/api.js';
import type { Incident } from '../../repositories/incidents.repository.js';
import type { IncidentsService } from '../../services/incidents.service.js';
import { actorOf } from '../auth.js';
import type { App } from '../types.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export const toIncidentDto = (i: Incident): IncidentDto => ({
  id: i.id,
  status: i.status,
  terms: i.terms,
  window: { from: iso(i.window.from), to: iso(i.window.to) },
  confidence: i.confidence,
  memberCount: i.memberCount,
  channels: i.channels,
  platforms: i.platforms,
  acknowledgement: i.acknowledgement,
  resolution: i.resolution,
  suspectedAt: iso(i.suspectedAt),
  confirmedAt: isoOrNull(i.confirmedAt),
  acknowledgedAt: isoOrNull(i.acknowledgedAt),
  resolvedAt: isoOrNull(i.resolvedAt),
});

const params = z.strictObject({ id: idSchema });
const noticeBody = z.strictObject({ text: z.string().min(1).max(5_000) });

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const registerIncidentRoutes = (app: App, deps: { incidents: IncidentsService }) => {
  const { incidents } = deps;

  app.get('/api/v1/incidents', {
    config: { auth: 'incidents:read' },
    schema: {
      tags: ['incidents'],
      summary: 'Incidents, newest first',
      querystring: z.strictObject({ status: z.enum(['suspected', 'confirmed', 'resolved']).optional(), cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
      response: { 200: page(incidentSchema) },
    },
  }, async (request) => {
    const result = await incidents.list(request.query);
    return { items: result.items.map(toIncidentDto), nextCursor: result.nextCursor };
  });

  app.get('/api/v1/incidents/:id', {
    config: { auth: 'incidents:read' },
    schema: { tags: ['incidents'], summary: 'An incident with its members (first 500), their channels, shared terms and time window', params, response: { 200: z.object({ incident: incidentSchema, members: z.array(incidentMemberSchema) }) } },
  }, async (request) => {
    const { incident, members } = await incidents.get(request.params.id);
    return { incident: toIncidentDto(incident), members: members.map((m) => ({ ...m, createdAt: iso(m.createdAt) })) };
  });

  app.post('/api/v1/incidents/:id/confirm', {
    config: { auth: 'incidents:manage' },
    schema: { tags: ['incidents'], summary: 'Confirm a suspected incident', params, response: { 200: incidentSchema } },
  }, async (request) => toIncidentDto(await incidents.confirm(request.params.id, actorOf(request))));

  app.post('/api/v1/incidents/:id/acknowledge', {
    config: { auth: 'incidents:manage' },
    schema: { tags: ['incidents'], summary: 'Write one acknowledgement; each member conversation gets it once, in its channel\'s wording, through the outbox', params, body: noticeBody, response: { 202: incidentFanOutSchema } },
  }, async (request, reply) => {
    const result = await incidents.acknowledge(request.params.id, request.body.text, actorOf(request));
    return reply.code(202).send({ incident: toIncidentDto(result.incident), queued: result.queued, skipped: result.skipped });
  });

  app.post('/api/v1/incidents/:id/resolve', {
    config: { auth: 'incidents:manage' },
    schema: { tags: ['incidents'], summary: 'Resolve the incident and fan the resolution notice out to every member conversation once', params, body: noticeBody, response: { 202: incidentFanOutSchema } },
  }, async (request, reply) => {
    const result = await incidents.resolve(request.params.id, request.body.text, actorOf(request));
    return reply.code(202).send({ incident: toIncidentDto(result.incident), queued: result.queued, skipped: result.skipped });
  });

  app.post('/api/v1/incidents/:id/members', {
    config: { auth: 'conversations:write' },
    schema: {
      tags: ['incidents'],
      summary: 'Attach a conversation the detector left out; it gets the acknowledgement at once if one was sent',
      params,
      body: z.strictObject({ conversationId: idSchema }),
      response: { 200: z.object({ incident: incidentSchema, attached: z.boolean(), acknowledged: z.boolean() }) },
    },
  }, async (request) => {
    const result = await incidents.attachConversation(request.params.id, request.body.conversationId, actorOf(request));
    return { incident: toIncidentDto(result.incident), attached: result.attached, acknowledged: result.acknowledged };
  });

  app.get('/p/status', {
    config: { auth: 'public', rateLimit: { max: 120, timeWindow: '1 minute' } },
    schema: { tags: ['public'], summary: 'Public status: open confirmed incidents and what we said about them (HTML for browsers, JSON otherwise)', response: { 200: publicStatusSchema } },
  }, async (request, reply) => {
    const list = (await incidents.publicStatus()).map((i) => ({ id: i.id, acknowledgement: i.acknowledgement, since: iso(i.since), updatedAt: iso(i.updatedAt) }));
    if (!(request.headers.accept ?? '').includes('text/html')) return { incidents: list };
    const items = list.length === 0
      ? '<p>No known problems right now.</p>'
      : `<ul>${list.map((i) => `<li><p>${escapeHtml(i.acknowledgement ?? 'We are looking into a problem affecting some customers.')}</p><small>Since <time datetime="${i.since}">${i.since}</time></small></li>`).join('')}</ul>`;
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Service status</title></head><body><main><h1>Service status</h1>${items}</main></body></html>`;
    // The route's JSON schema would serialise the page: hand the HTML over as it is.
    return reply.type('text/html; charset=utf-8').serializer((payload) => payload as string).send(html as never);
  });
};
