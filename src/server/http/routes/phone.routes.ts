import { z } from 'zod';
import { idSchema } from '../../../shared/api.js';
import type { PhoneCallbacksService } from '../../services/phone-callbacks.service.js';
import { actorOf } from '../auth.js';
import type { App } from '../types.js';

/** The phone channel's outbound: a callback task for a person (Parley places no calls). */
export const registerPhoneRoutes = (app: App, deps: { callbacks: PhoneCallbacksService }) => {
  app.post('/api/v1/conversations/:id/callback', {
    config: { auth: 'conversations:write' },
    schema: {
      tags: ['conversations'],
      summary: 'Phone conversations: record a callback to the caller\'s number as a note, and sleep until `at` when given (Parley cannot call)',
      params: z.strictObject({ id: idSchema }),
      body: z.strictObject({ note: z.string().max(2000).optional(), at: z.string().datetime({ offset: true }).optional().describe('when the callback is due (ISO 8601)') }),
      response: { 201: z.object({ noteId: z.string(), number: z.string(), at: z.string().nullable(), body: z.string() }) },
    },
  }, async (request, reply) => {
    const at = request.body.at === undefined ? undefined : Date.parse(request.body.at);
    return reply.code(201).send(await deps.callbacks.schedule(request.params.id, { note: request.body.note, at }, actorOf(request)));
  });
};
