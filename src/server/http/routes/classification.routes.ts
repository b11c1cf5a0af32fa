import { z } from 'zod';
import { idSchema } from '../../../shared/api.js';
import type { ClassificationService } from '../../services/classification.service.js';
import { correctableFields } from '../../services/classification.service.js';
import { actorOf } from '../auth.js';
import type { App } from '../types.js';

const correctionSchema = z.object({ id: z.string(), messageId: z.string(), field: z.string(), previous: z.string().nullable(), value: z.string(), userId: z.string(), createdAt: z.string() });
const toDto = (c: { id: string; messageId: string; field: string; previous: string | null; value: string; userId: string; createdAt: number }) => ({
  id: c.id, messageId: c.messageId, field: c.field, previous: c.previous, value: c.value, userId: c.userId, createdAt: new Date(c.createdAt).toISOString(),
});

/** Label corrections by agents and custom intents taught by admins. */
export const registerClassificationRoutes = (app: App, deps: { classification: ClassificationService }) => {
  const params = z.strictObject({ id: idSchema });

  app.post('/api/v1/messages/:id/corrections', {
    config: { auth: 'conversations:write' },
    schema: { tags: ['classification'], summary: 'Correct a label of a message; kept as training data for the next `parley train`', params, body: z.strictObject({ field: z.enum(correctableFields), value: z.string().min(1).max(64) }), response: { 201: correctionSchema } },
  }, async (request, reply) => reply.code(201).send(toDto(await deps.classification.correct(request.params.id, request.body, actorOf(request)))));

  app.get('/api/v1/messages/:id/corrections', {
    config: { auth: 'conversations:read' },
    schema: { tags: ['classification'], summary: 'Corrections made to a message', params, response: { 200: z.object({ items: z.array(correctionSchema) }) } },
  }, async (request) => ({ items: (await deps.classification.list(request.params.id)).map(toDto) }));

  app.post('/api/v1/intents/train', {
    config: { auth: 'settings:manage' },
    bodyLimit: 16 * 1024 * 1024,
    schema: {
      tags: ['classification'],
      summary: "Teach Parley your own intents from examples; used at once by the pipeline (adds to earlier examples unless reset)",
      body: z.strictObject({ examples: z.array(z.strictObject({ text: z.string().min(1).max(5000), intent: z.string().min(1).max(64) })).min(2).max(50_000), reset: z.boolean().default(false) }),
      response: { 200: z.object({ labels: z.array(z.string()), examples: z.number(), version: z.string() }) },
    },
  }, async (request) => deps.classification.trainIntents(request.body.examples, request.body.reset, actorOf(request)));

  app.delete('/api/v1/intents/custom', {
    config: { auth: 'settings:manage' },
    schema: { tags: ['classification'], summary: 'Return to the default intent taxonomy', response: { 204: z.null() } },
  }, async (request, reply) => {
    await deps.classification.resetIntents(actorOf(request));
    return reply.code(204).send(null);
  });
};
