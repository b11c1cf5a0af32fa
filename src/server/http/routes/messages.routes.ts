import { z } from 'zod';
import { envelopeSchema, maxIngestBatch } from '../../../shared/envelope.js';
import type { Ingest } from '../../pipeline/ingest.js';
import type { App } from '../types.js';

export const registerMessageRoutes = (app: App, deps: { ingest: Ingest }) => {
  app.post('/api/v1/messages', {
    config: { auth: 'messages:ingest' },
    bodyLimit: 32 * 1024 * 1024,
    schema: {
      tags: ['messages'],
      summary: `Ingest up to ${maxIngestBatch} Envelopes; acknowledged once durable, duplicates acknowledged and ignored`,
      body: z.strictObject({ envelopes: z.array(envelopeSchema).min(1).max(maxIngestBatch) }),
      response: { 202: z.object({ accepted: z.number(), duplicates: z.number(), edited: z.number(), messageIds: z.array(z.string()) }) },
    },
  }, async (request, reply) => {
    const result = await deps.ingest(request.body.envelopes);
    return reply.code(202).send({ accepted: result.accepted, duplicates: result.duplicates, edited: result.edited, messageIds: result.messageIds });
  });
};
