import { z } from 'zod';
import { envelopeSchema, maxIngestBatch, type Envelope } from '../../../shared/envelope.js';
import type { Ingest } from '../../pipeline/ingest.js';
import type { App } from '../types.js';

export const registerMessageRoutes = (app: App, deps: { ingest: Ingest; ingestLog?: { append(envelopes: Envelope[]): Promise<{ appended: number; duplicates: number }> } | null }) => {
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
    if (deps.ingestLog) {
      // Scale mode: acknowledged once JetStream stored them; ids are assigned when the log is consumed.
      const logged = await deps.ingestLog.append(request.body.envelopes);
      return reply.code(202).send({ accepted: logged.appended, duplicates: logged.duplicates, edited: 0, messageIds: [] });
    }
    const result = await deps.ingest(request.body.envelopes);
    return reply.code(202).send({ accepted: result.accepted, duplicates: result.duplicates, edited: result.edited, messageIds: result.messageIds });
  });
};
