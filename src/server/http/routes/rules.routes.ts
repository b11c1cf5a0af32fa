import { z } from 'zod';
import { idSchema, ruleDryRunSchema, ruleDtoSchema, ruleRunSchema } from '../../../shared/api.js';
import type { RuleRecord } from '../../repositories/rules.repository.js';
import type { RulesService } from '../../services/rules.service.js';
import { actorOf } from '../auth.js';
import type { App } from '../types.js';

const params = z.strictObject({ id: idSchema });
/** Rule bodies are validated by the service against the rule schema, which names every offending field. */
const anyBody = z.record(z.string(), z.unknown());

const toRuleDto = (r: RuleRecord) => ({ ...r.rule, actions: r.rule.actions as Record<string, unknown>[], position: r.position, updatedAt: new Date(r.updatedAt).toISOString() });

/** Automation rules: trigger × conditions × actions, with dry runs and the log of what fired. */
export const registerRulesRoutes = (app: App, deps: { rules: RulesService }) => {
  const { rules } = deps;

  app.get('/api/v1/rules', {
    config: { auth: 'settings:read' },
    schema: { tags: ['rules'], summary: 'Rules in evaluation order', response: { 200: z.object({ items: z.array(ruleDtoSchema) }) } },
  }, async () => ({ items: (await rules.list()).map(toRuleDto) }));

  app.get('/api/v1/rules/:id', {
    config: { auth: 'settings:read' },
    schema: { tags: ['rules'], summary: 'One rule', params, response: { 200: ruleDtoSchema } },
  }, async (request) => toRuleDto(await rules.get(request.params.id)));

  app.post('/api/v1/rules', {
    config: { auth: 'settings:manage' },
    schema: { tags: ['rules'], summary: 'Create a rule (audited)', body: anyBody, response: { 201: ruleDtoSchema } },
  }, async (request, reply) => reply.code(201).send(toRuleDto(await rules.create(request.body, actorOf(request)))));

  app.put('/api/v1/rules/:id', {
    config: { auth: 'settings:manage' },
    schema: { tags: ['rules'], summary: 'Replace a rule (audited)', params, body: anyBody, response: { 200: ruleDtoSchema } },
  }, async (request) => toRuleDto(await rules.update(request.params.id, request.body, actorOf(request))));

  app.delete('/api/v1/rules/:id', {
    config: { auth: 'settings:manage' },
    schema: { tags: ['rules'], summary: 'Delete a rule (audited)', params, response: { 204: z.null() } },
  }, async (request, reply) => {
    await rules.remove(request.params.id, actorOf(request));
    return reply.code(204).send(null);
  });

  app.post('/api/v1/rules/:id/dry-run', {
    config: { auth: 'settings:read' },
    schema: { tags: ['rules'], summary: 'What the rule would have done to the last N inbound messages (nothing is changed)', params, body: z.strictObject({ limit: z.number().int().min(1).max(500).default(50) }).default({ limit: 50 }), response: { 200: ruleDryRunSchema } },
  }, async (request) => {
    const r = await rules.dryRun(request.params.id, request.body.limit);
    return { ...r, results: r.results.map((x) => ({ ...x, createdAt: new Date(x.createdAt).toISOString(), actions: x.actions as Record<string, unknown>[] })) };
  });

  app.get('/api/v1/rules/:id/runs', {
    config: { auth: 'settings:read' },
    schema: { tags: ['rules'], summary: 'Recent firings of a rule with their outcomes and causation chains', params, querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(50) }), response: { 200: z.object({ items: z.array(ruleRunSchema) }) } },
  }, async (request) => ({ items: (await rules.runs({ ruleId: request.params.id }, request.query.limit)).map((r) => ({ ...r, causation: { ruleIds: [...r.causation.ruleIds], depth: r.causation.depth }, at: new Date(r.at).toISOString() })) }));
};
