import { z } from 'zod';
import { idSchema, macroDtoSchema, macroRenderSchema } from '../../../shared/api.js';
import type { MacroRecord } from '../../repositories/macros.repository.js';
import type { MacrosService } from '../../services/macros.service.js';
import { actorOf } from '../auth.js';
import type { App } from '../types.js';

const params = z.strictObject({ id: idSchema });
const anyBody = z.record(z.string(), z.unknown());

const toMacroDto = (m: MacroRecord) => ({ id: m.id, name: m.name, body: m.body, variants: m.variants, updatedAt: new Date(m.updatedAt).toISOString() });

/** Canned responses with `{{variables}}` and per-channel variants. */
export const registerMacroRoutes = (app: App, deps: { macros: MacrosService }) => {
  const { macros } = deps;

  app.get('/api/v1/macros', {
    config: { auth: 'macros:use' },
    schema: { tags: ['macros'], summary: 'Macros by name', response: { 200: z.object({ items: z.array(macroDtoSchema) }) } },
  }, async () => ({ items: (await macros.list()).map(toMacroDto) }));

  app.get('/api/v1/macros/:id', {
    config: { auth: 'macros:use' },
    schema: { tags: ['macros'], summary: 'One macro', params, response: { 200: macroDtoSchema } },
  }, async (request) => toMacroDto(await macros.get(request.params.id)));

  app.post('/api/v1/macros', {
    config: { auth: 'macros:manage' },
    schema: { tags: ['macros'], summary: 'Create a macro', body: anyBody, response: { 201: macroDtoSchema } },
  }, async (request, reply) => reply.code(201).send(toMacroDto(await macros.create(request.body, actorOf(request)))));

  app.put('/api/v1/macros/:id', {
    config: { auth: 'macros:manage' },
    schema: { tags: ['macros'], summary: 'Replace a macro', params, body: anyBody, response: { 200: macroDtoSchema } },
  }, async (request) => toMacroDto(await macros.update(request.params.id, request.body, actorOf(request))));

  app.delete('/api/v1/macros/:id', {
    config: { auth: 'macros:manage' },
    schema: { tags: ['macros'], summary: 'Delete a macro', params, response: { 204: z.null() } },
  }, async (request, reply) => {
    await macros.remove(request.params.id, actorOf(request));
    return reply.code(204).send(null);
  });

  app.post('/api/v1/macros/:id/render', {
    config: { auth: 'macros:use' },
    schema: {
      tags: ['macros'],
      summary: 'Render for a conversation on a channel: the text, or the errors (unknown or empty variables, over the channel limit)',
      params,
      body: z.strictObject({ conversationId: idSchema, channel: z.string().min(1).max(64).optional() }),
      response: { 200: macroRenderSchema },
    },
  }, async (request) => {
    const r = await macros.render(request.params.id, request.body, actorOf(request));
    return r.ok
      ? { ok: true, channel: r.channel, text: r.text, length: r.length, max: r.max, errors: [] }
      : { ok: false, channel: r.channel, text: r.text, errors: r.errors as unknown as Record<string, unknown>[] };
  });
};
