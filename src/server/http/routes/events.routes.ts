import { z } from 'zod';
import { idSchema } from '../../../shared/api.js';
import type { EventBus } from '../../platform/events.js';
import { actorOf } from '../auth.js';
import type { App } from '../types.js';

/**
 * Live updates for the workspace over server-sent events: which conversations changed, and who is viewing or
 * typing where (the collision indicator). Events reach clients connected to this process.
 */
export const registerEventRoutes = (app: App, deps: { events: EventBus }) => {
  app.get('/api/v1/events', {
    config: { auth: 'conversations:read' },
    schema: { tags: ['events'], summary: 'Server-sent events: conversations.changed and presence' },
  }, async (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 3000\n\n');
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const listenerId = actorOf(request).userId;
    const unsubscribe = deps.events.subscribe((event) => {
      if (event.type === 'conversations.changed') send('conversations.changed', { conversationIds: event.conversationIds });
      else if (event.type === 'presence') send('presence', { conversationId: event.conversationId, userId: event.userId, state: event.state });
      else if (event.type === 'mention' && event.userIds.includes(listenerId)) send('mention', { conversationId: event.conversationId, noteId: event.noteId, byUserId: event.byUserId, excerpt: event.excerpt });
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });

  app.post('/api/v1/conversations/:id/presence', {
    config: { auth: 'conversations:read' },
    schema: { tags: ['events'], summary: 'Tell teammates you are viewing, typing in, or have left a conversation', params: z.strictObject({ id: idSchema }), body: z.strictObject({ state: z.enum(['viewing', 'typing', 'left']) }), response: { 204: z.null() } },
  }, async (request, reply) => {
    deps.events.publish({ type: 'presence', conversationId: request.params.id, userId: actorOf(request).userId, state: request.body.state });
    return reply.code(204).send(null);
  });
};
