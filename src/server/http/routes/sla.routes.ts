import { z } from 'zod';
import { idSchema, prioritySettingsSchema, slaPolicyDtoSchema } from '../../../shared/api.js';
import type { SlaPolicyRecord } from '../../repositories/sla.repository.js';
import type { PrioritySettingsService } from '../../services/priority-settings.service.js';
import type { SlaService } from '../../services/sla.service.js';
import { actorOf } from '../auth.js';
import type { App } from '../types.js';

const params = z.strictObject({ id: idSchema });
/** Bodies are validated by the services, which name every offending field in the problem's `errors`. */
const anyBody = z.record(z.string(), z.unknown());

const toPolicyDto = (p: SlaPolicyRecord, builtin = false) => ({
  id: p.id,
  name: p.name,
  position: p.position,
  appliesTo: p.appliesTo,
  businessHours: p.policy.businessHours,
  warnAtRatio: p.policy.warnAtRatio,
  defaults: p.policy.defaults,
  overrides: p.policy.overrides,
  calendar: { timeZone: p.calendar.timeZone, hours: p.calendar.hours as Record<string, { open: string; close: string }[]>, holidays: p.calendar.holidays },
  builtin,
  updatedAt: new Date(p.updatedAt).toISOString(),
});

/** Workspace priority weights and SLA policies (business hours, time zone, holidays, targets by channel, band and tier). */
export const registerSlaRoutes = (app: App, deps: { sla: SlaService; prioritySettings: PrioritySettingsService }) => {
  const { sla, prioritySettings } = deps;

  app.get('/api/v1/settings/priority', {
    config: { auth: 'settings:read' },
    schema: { tags: ['settings'], summary: 'Priority weights: the stored overrides and the effective weights', response: { 200: prioritySettingsSchema } },
  }, async () => prioritySettings.get());

  app.put('/api/v1/settings/priority', {
    config: { auth: 'settings:manage' },
    schema: { tags: ['settings'], summary: 'Replace the priority weight overrides (validated: bands on tier boundaries, reach below the tier width)', body: anyBody, response: { 200: prioritySettingsSchema } },
  }, async (request) => prioritySettings.set(request.body, actorOf(request)));

  app.get('/api/v1/sla-policies', {
    config: { auth: 'settings:read' },
    schema: { tags: ['sla'], summary: 'SLA policies in evaluation order, then the built-in defaults', response: { 200: z.object({ items: z.array(slaPolicyDtoSchema) }) } },
  }, async () => ({ items: [...(await sla.list()).map((p) => toPolicyDto(p)), ...sla.builtins().map((p) => toPolicyDto(p, true))] }));

  app.get('/api/v1/sla-policies/:id', {
    config: { auth: 'settings:read' },
    schema: { tags: ['sla'], summary: 'One SLA policy', params, response: { 200: slaPolicyDtoSchema } },
  }, async (request) => toPolicyDto(await sla.get(request.params.id)));

  app.post('/api/v1/sla-policies', {
    config: { auth: 'settings:manage' },
    schema: { tags: ['sla'], summary: 'Create an SLA policy', body: anyBody, response: { 201: slaPolicyDtoSchema } },
  }, async (request, reply) => reply.code(201).send(toPolicyDto(await sla.create(request.body, actorOf(request)))));

  app.put('/api/v1/sla-policies/:id', {
    config: { auth: 'settings:manage' },
    schema: { tags: ['sla'], summary: 'Replace an SLA policy; running clocks keep their targets, new clocks use it', params, body: anyBody, response: { 200: slaPolicyDtoSchema } },
  }, async (request) => toPolicyDto(await sla.update(request.params.id, request.body, actorOf(request))));

  app.delete('/api/v1/sla-policies/:id', {
    config: { auth: 'settings:manage' },
    schema: { tags: ['sla'], summary: 'Delete an SLA policy', params, response: { 204: z.null() } },
  }, async (request, reply) => {
    await sla.remove(request.params.id, actorOf(request));
    return reply.code(204).send(null);
  });
};
