import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idSchema } from '../../../shared/api.js';
import { AppError } from '../../platform/errors.js';
import type { ChatView, WebchatChannel, WebchatService } from '../../services/webchat.service.js';
import type { ChannelsService } from '../../services/channels.service.js';
import type { App } from '../types.js';

const widgetSource = fileURLToPath(new URL('../../../widget/chat.ts', import.meta.url));
let widgetBuild: Promise<string> | null = null;

/** The widget is one TypeScript file: stripped and minified by esbuild (through Vite, already a dependency) on first request. */
const buildWidget = (): Promise<string> =>
  (widgetBuild ??= (async () => {
    const { transformWithEsbuild } = await import('vite');
    const out = await transformWithEsbuild(await readFile(widgetSource, 'utf8'), 'chat.ts', { loader: 'ts', format: 'iife', target: 'es2019', minify: true, legalComments: 'none' });
    return out.code;
  })().catch((error: unknown) => {
    widgetBuild = null;
    throw error;
  }));

const channelParams = z.strictObject({ channelId: z.string().min(1).max(64).regex(/^[\w-]+$/) });
const visitorHeader = 'x-parley-visitor';

const messageSchema = z.object({ id: z.string(), from: z.enum(['visitor', 'agent']), text: z.string(), at: z.number() });

const originOf = (request: FastifyRequest): string | undefined => (typeof request.headers.origin === 'string' ? request.headers.origin : undefined);

/** CORS for one allowed origin; set before anything can fail so the widget can read problem answers too. */
const allowCors = (reply: FastifyReply, origin: string): void => {
  reply.header('access-control-allow-origin', origin).header('vary', 'origin').header('access-control-expose-headers', 'retry-after').header('cache-control', 'no-store');
};

/**
 * Web chat for visitors (public, origin-checked per channel) and the embed snippet for admins:
 * GET /widget/chat.js, POST /p/chat/:channelId/session, POST /p/chat/:channelId/messages, GET /p/chat/:channelId/stream.
 */
export const registerWebchatRoutes = async (app: App, deps: { webchat: WebchatService; channels: ChannelsService; publicUrl: string; pollMs?: number }) => {
  const { webchat } = deps;
  // A safety net only: the mailbox already wakes streams for other processes' replies within a second.
  const pollMs = deps.pollMs ?? 30_000;

  app.get('/widget/chat.js', { config: { auth: 'public', rateLimit: { max: 300, timeWindow: '1 minute' } }, schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      // Loaded by a <script> on the company's site: another origin must be allowed to embed it.
      .header('cross-origin-resource-policy', 'cross-origin')
      .header('cache-control', 'public, max-age=300')
      .send(await buildWidget()));

  app.get('/api/v1/channels/:id/widget', {
    config: { auth: 'channels:read' },
    schema: {
      tags: ['channels'],
      summary: 'The web chat embed snippet for a chat channel, and the sites allowed to embed it',
      params: z.strictObject({ id: idSchema }),
      response: { 200: z.object({ scriptUrl: z.string(), snippet: z.string(), allowedOrigins: z.array(z.string()), ready: z.boolean() }) },
    },
  }, async (request) => {
    const channel = await deps.channels.get(request.params.id);
    if (channel.platform !== 'chat') throw new AppError('validation_failed', `channel ${channel.id} is a ${channel.platform} channel, not web chat`, 'id');
    const scriptUrl = `${deps.publicUrl.replace(/\/$/, '')}/widget/chat.js`;
    const allowedOrigins = Array.isArray(channel.config.allowedOrigins) ? channel.config.allowedOrigins.filter((o): o is string => typeof o === 'string') : [];
    return { scriptUrl, snippet: `<script src="${scriptUrl}" data-parley-channel="${channel.id}" async></script>`, allowedOrigins, ready: allowedOrigins.length > 0 };
  });

  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<ZodTypeProvider>();
    const limit = { max: 120, timeWindow: '1 minute' };

    const channelFor = async (request: FastifyRequest, reply: FastifyReply, channelId: string): Promise<WebchatChannel> => {
      const origin = originOf(request);
      const channel = await webchat.widgetFor(channelId, origin);
      allowCors(reply, origin as string);
      return channel;
    };

    scope.options('/p/chat/:channelId/*', { config: { auth: 'public', rateLimit: limit }, schema: { hide: true } }, async (request, reply) => {
      const { channelId } = channelParams.parse({ channelId: (request.params as { channelId: string }).channelId });
      await channelFor(request, reply, channelId);
      return reply.header('access-control-allow-methods', 'GET, POST').header('access-control-allow-headers', `content-type, ${visitorHeader}`).header('access-control-max-age', '600').code(204).send();
    });

    scope.post('/p/chat/:channelId/session', {
      config: { auth: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: { hide: true, params: channelParams, body: z.strictObject({ token: z.string().max(200).optional() }), response: { 200: z.object({ token: z.string(), visitorId: z.string(), messages: z.array(messageSchema), settings: z.object({ title: z.string(), greeting: z.string(), maxMessageChars: z.number(), open: z.boolean() }) }) } },
    }, async (request, reply) => {
      const channel = await channelFor(request, reply, request.params.channelId);
      return webchat.startSession(channel, request.body.token);
    });

    scope.post('/p/chat/:channelId/messages', {
      config: { auth: 'public', rateLimit: limit },
      // The channel's own limit (maxMessageChars) is checked by the service; this only bounds the request.
      bodyLimit: 64 * 1024,
      schema: { hide: true, params: channelParams, body: z.strictObject({ clientId: z.string().regex(/^[\w-]{8,64}$/), text: z.string().max(20_000), name: z.string().max(120).optional(), pageUrl: z.string().max(2000).optional() }), response: { 201: z.object({ message: messageSchema }) } },
    }, async (request, reply) => {
      const channel = await channelFor(request, reply, request.params.channelId);
      const header = request.headers[visitorHeader];
      const visitorId = webchat.visitorOf(channel, typeof header === 'string' ? header : undefined);
      try {
        return reply.code(201).send({ message: await webchat.post(channel, visitorId, request.body) });
      } catch (error) {
        if (error instanceof AppError && error.code === 'rate_limited') reply.header('retry-after', String(error.details?.retryAfterSeconds ?? 60));
        throw error;
      }
    });

    scope.get('/p/chat/:channelId/stream', {
      config: { auth: 'public', rateLimit: limit },
      schema: { hide: true, params: channelParams, querystring: z.strictObject({ after: z.coerce.number().int().min(0).optional() }) },
    }, async (request, reply) => {
      const channel = await channelFor(request, reply, request.params.channelId);
      const header = request.headers[visitorHeader];
      const visitorId = webchat.visitorOf(channel, typeof header === 'string' ? header : undefined);
      const origin = originOf(request) as string;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no', 'access-control-allow-origin': origin, vary: 'origin' });
      res.write('retry: 3000\n\n');
      const sent = new Set<string>();
      let after = request.query.after ?? 0;
      const push = (message: ChatView) => {
        if (sent.has(message.id)) return;
        sent.add(message.id);
        after = Math.max(after, message.at);
        res.write(`id: ${message.id}\nevent: message\ndata: ${JSON.stringify(message)}\n\n`);
      };
      // Subscribe before reading the history so nothing appended in between is missed (the id set drops repeats).
      const unsubscribe = webchat.watch(channel, visitorId, push);
      const catchUp = async () => {
        for (const message of await webchat.history(channel, visitorId, after)) push(message);
      };
      await catchUp().catch(() => undefined);
      const poll = setInterval(() => void catchUp().catch(() => undefined), pollMs);
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
      res.on('close', () => {
        clearInterval(poll);
        clearInterval(heartbeat);
        unsubscribe();
      });
    });
  });
};
