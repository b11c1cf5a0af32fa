import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { WebhookRequest } from '../../connectors/port.js';
import type { WebhookOutcome } from '../../services/channel-runtime.service.js';
import { sendProblem } from '../errors.js';
import type { App } from '../types.js';

export interface WebhookRouteDeps {
  receiveWebhook(platform: string, channelId: string, request: WebhookRequest): Promise<WebhookOutcome>;
}

const segment = z.string().min(1).max(128).regex(/^[\w.:-]+$/);
const channelParams = z.strictObject({ platform: segment, channelId: segment });

const flatten = (record: Record<string, string | string[] | undefined>): Record<string, string | undefined> => {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(record)) out[key] = Array.isArray(value) ? value.join(',') : value;
  return out;
};

/** The adapter sees the exact bytes the platform signed, never a re-serialised body. */
const toWebhookRequest = (request: FastifyRequest): WebhookRequest => ({
  method: request.method === 'GET' ? 'GET' : 'POST',
  headers: flatten(request.headers),
  query: flatten(request.query as Record<string, string | string[] | undefined>),
  rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
});

const answer = (reply: FastifyReply, request: FastifyRequest, outcome: WebhookOutcome): FastifyReply => {
  if (outcome.type === 'handshake') return reply.code(outcome.status).type(outcome.contentType).send(outcome.body);
  if (outcome.type === 'rejected') return sendProblem(reply, { status: outcome.status, code: outcome.status === 401 ? 'webhook_signature_invalid' : 'webhook_rejected', detail: outcome.reason, instance: request.url.split('?')[0] });
  return reply.code(200).send({ received: true, events: outcome.events, deletions: outcome.deletions });
};

/**
 * Platform webhooks at /webhooks/:platform/:channelId, and /webhooks/meta/:appId for Meta's one callback per app.
 * Public (the adapter verifies the signature), with a raw-body parser scoped to this plugin so the JSON API keeps
 * its own parsing.
 */
export const registerWebhookRoutes = async (app: App, deps: WebhookRouteDeps): Promise<void> => {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    const hidden = { hide: true } as const;

    for (const method of ['GET', 'POST'] as const) {
      scope.route({
        method,
        url: '/webhooks/:platform/:channelId',
        config: { auth: 'public' },
        schema: { ...hidden, params: channelParams },
        handler: async (request, reply) => {
          const params = request.params as z.infer<typeof channelParams>;
          return answer(reply, request, await deps.receiveWebhook(params.platform, params.channelId, toWebhookRequest(request)));
        },
      });
    }
  });
};
