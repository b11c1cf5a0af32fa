import { z } from 'zod';
import { idSchema } from '../../../shared/api.js';
import type { ListeningRule } from '../../repositories/listening.repository.js';
import type { ListeningService } from '../../services/listening.service.js';
import { actorOf } from '../auth.js';
import type { App } from '../types.js';

const ruleSchema = z.object({ id: z.string(), brandId: z.string().nullable(), name: z.string(), query: z.string(), enabled: z.boolean(), createdAt: z.string(), updatedAt: z.string() });
const xSyncSchema = z.array(z.object({ channelId: z.string(), ok: z.boolean(), detail: z.string() }));
const query = z.string().min(1).max(2000);
const params = z.strictObject({ id: idSchema });

const toRuleDto = (r: ListeningRule) => ({ id: r.id, brandId: r.brandId, name: r.name, query: r.query, enabled: r.enabled, createdAt: new Date(r.createdAt).toISOString(), updatedAt: new Date(r.updatedAt).toISOString() });

/** Listening rules per brand; a bad query is a 400 problem naming the character position. */
export const registerListeningRoutes = (app: App, deps: { listening: ListeningService }) => {
  const { listening } = deps;
  app.get('/api/v1/listening-rules', { config: { auth: 'channels:read' }, schema: { tags: ['listening'], summary: 'List listening rules', response: { 200: z.object({ items: z.array(ruleSchema) }) } } }, async () => ({ items: (await listening.list()).map(toRuleDto) }));

  app.post('/api/v1/listening-rules', {
    config: { auth: 'channels:manage' },
    schema: {
      tags: ['listening'],
      summary: 'Add a listening rule (keywords, "phrases", AND/OR/NOT, -exclusions, lang:, from:); X stream rules follow',
      body: z.strictObject({ name: z.string().min(1).max(200), query, brandId: idSchema.nullable().optional(), enabled: z.boolean().optional() }),
      response: { 201: z.object({ rule: ruleSchema, xSync: xSyncSchema }) },
    },
  }, async (request, reply) => {
    const result = await listening.create(request.body, actorOf(request));
    return reply.code(201).send({ rule: toRuleDto(result.rule), xSync: result.xSync });
  });

  app.post('/api/v1/listening-rules/test', {
    config: { auth: 'channels:read' },
    schema: {
      tags: ['listening'],
      summary: 'Try a query against recent stored messages before saving it',
      body: z.strictObject({ query, limit: z.number().int().min(1).max(200).default(20) }),
      response: { 200: z.object({ total: z.number(), matchedCount: z.number(), matches: z.array(z.object({ id: z.string(), channelId: z.string(), text: z.string(), language: z.string().nullable(), authorHandle: z.string().nullable(), createdAt: z.string() })) }) },
    },
  }, async (request) => {
    const result = await listening.test(request.body.query, request.body.limit);
    return { ...result, matches: result.matches.map((m) => ({ ...m, createdAt: new Date(m.createdAt).toISOString() })) };
  });

  app.patch('/api/v1/listening-rules/:id', {
    config: { auth: 'channels:manage' },
    schema: { tags: ['listening'], summary: 'Change a listening rule', params, body: z.strictObject({ name: z.string().min(1).max(200).optional(), query: query.optional(), brandId: idSchema.nullable().optional(), enabled: z.boolean().optional() }), response: { 200: z.object({ rule: ruleSchema, xSync: xSyncSchema }) } },
  }, async (request) => {
    const result = await listening.update(request.params.id, request.body, actorOf(request));
    return { rule: toRuleDto(result.rule), xSync: result.xSync };
  });

  app.delete('/api/v1/listening-rules/:id', {
    config: { auth: 'channels:manage' },
    schema: { tags: ['listening'], summary: 'Remove a listening rule', params, response: { 200: z.object({ xSync: xSyncSchema }) } },
  }, async (request) => listening.remove(request.params.id, actorOf(request)));
};
