import { z } from 'zod';
import { conversationSchema, idSchema, messageSchema, noteSchema, page } from '../../../shared/api.js';
import type { ConversationsService } from '../../services/conversations.service.js';
import { conversationStatuses } from '../../services/conversations.service.js';
import { actorOf } from '../auth.js';
import { toConversationDto, toMessageDto } from '../mappers.js';
import type { App } from '../types.js';

const listQuery = z.strictObject({
  status: z.enum(conversationStatuses).optional(),
  assignee: z.string().max(64).optional().describe("'me', 'none' or a user id"),
  teamId: idSchema.optional(),
  channelId: idSchema.optional(),
  priority: z.enum(['low', 'normal', 'high', 'urgent']).optional(),
  sentiment: z.enum(['negative', 'neutral', 'positive']).optional(),
  queue: z.enum(['service', 'marketing', 'supervisor', 'spam', '!service', '!marketing', '!supervisor', '!spam']).optional().describe("a queue, or '!queue' for all others"),
  intent: z.string().max(64).optional(),
  language: z.string().max(16).optional(),
  tier: z.enum(['standard', 'micro', 'mid', 'macro', 'mega']).optional().describe("the customer's reach tier"),
  sla: z.enum(['breached', 'soon', 'ok', 'none']).optional().describe('SLA clock: overdue, due within 15 minutes, due later, or none running'),
  q: z.string().max(200).optional().describe('full-text search: words, "a phrase", a or b, -excluded'),
  teams: z.enum(['mine']).optional().describe("'mine': conversations of the caller's teams"),
  incident: z.enum(['any', 'none']).optional().describe('part of an incident, or not'),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const params = z.strictObject({ id: idSchema });

export const registerConversationRoutes = (app: App, deps: { conversations: ConversationsService }) => {
  const { conversations } = deps;

  app.get('/api/v1/conversations', {
    config: { auth: 'conversations:read' },
    schema: { tags: ['conversations'], summary: 'List conversations, newest activity first, with filters and keyset pagination', querystring: listQuery, response: { 200: page(conversationSchema) } },
  }, async (request) => {
    const result = await conversations.list(request.query, actorOf(request));
    return { items: result.items.map(toConversationDto), nextCursor: result.nextCursor };
  });

  app.get('/api/v1/conversations/:id', {
    config: { auth: 'conversations:read' },
    schema: { tags: ['conversations'], summary: 'A conversation with its messages and internal notes', params, response: { 200: z.object({ conversation: conversationSchema, channel: z.object({ platform: z.string(), name: z.string() }).nullable(), messages: z.array(messageSchema), notes: z.array(noteSchema) }) } },
  }, async (request) => {
    const detail = await conversations.get(request.params.id);
    const byMessage = new Map(detail.outbox.map((o) => [o.messageId, o]));
    return {
      conversation: toConversationDto(detail.conversation),
      channel: detail.channel,
      messages: detail.messages.map((m) => toMessageDto(m, byMessage.get(m.id))),
      notes: detail.notes.map((n) => ({ id: n.id, authorId: n.authorId, body: n.body, mentions: n.mentions, createdAt: new Date(n.createdAt).toISOString() })),
    };
  });

  app.post('/api/v1/conversations/:id/reply', {
    config: { auth: 'conversations:write' },
    schema: {
      tags: ['conversations'],
      summary: 'Reply on the conversation\'s channel (public replies pass the PII guard); delivered through the outbox',
      params,
      headers: z.object({ 'idempotency-key': z.string().min(8).max(200).optional() }).passthrough(),
      body: z.strictObject({
        text: z.string().min(1).max(10_000),
        attachmentIds: z.array(idSchema).max(10).optional().describe('files from POST /api/v1/attachments, checked against the channel\'s media limits'),
        holding: z.boolean().optional().describe('a holding reply: the first response, but the full answer is still owed (the conversation stays in Take next until a reply without it); refused with 409 when the customer\'s last message already has an answer of ours after it'),
      }),
      response: { 202: z.object({ messageId: z.string(), outboxId: z.string(), duplicate: z.boolean() }) },
    },
  }, async (request, reply) => {
    const key = request.headers['idempotency-key'];
    const { text, attachmentIds, holding } = request.body;
    const result = await conversations.reply(request.params.id, { text, ...(attachmentIds?.length ? { attachmentIds } : {}), ...(holding ? { holding } : {}), ...(typeof key === 'string' ? { idempotencyKey: key } : {}) }, actorOf(request));
    return reply.code(202).send(result);
  });

  app.post('/api/v1/conversations/:id/notes', {
    config: { auth: 'conversations:write' },
    schema: { tags: ['conversations'], summary: 'Add an internal note (@mentions notify teammates)', params, body: z.strictObject({ body: z.string().min(1).max(10_000) }), response: { 201: noteSchema } },
  }, async (request, reply) => {
    const note = await conversations.addNote(request.params.id, request.body.body, actorOf(request));
    return reply.code(201).send({ id: note.id, authorId: note.authorId, body: note.body, mentions: note.mentions, createdAt: new Date(note.createdAt).toISOString() });
  });

  app.post('/api/v1/conversations/next', {
    config: { auth: 'conversations:assign' },
    schema: {
      tags: ['conversations'],
      summary: 'Take the next conversation waiting for you: priority while posts have slack, the nearest deadline first once one is at risk; claimed for you if unassigned (204 when nothing waits)',
      response: { 200: conversationSchema, 204: z.null().describe('Nothing waits for you') },
    },
  }, async (request, reply) => {
    const next = await conversations.takeNext(actorOf(request));
    if (!next) return reply.status(204).send(null);
    return toConversationDto(next);
  });

  app.post('/api/v1/conversations/:id/assign', {
    config: { auth: 'conversations:assign' },
    schema: { tags: ['conversations'], summary: 'Assign to a user (or null to unassign), optionally to a team', params, body: z.strictObject({ assigneeId: idSchema.nullable(), teamId: idSchema.nullable().optional() }), response: { 200: conversationSchema } },
  }, async (request) => toConversationDto(await conversations.assign(request.params.id, request.body, actorOf(request))));

  app.post('/api/v1/conversations/:id/status', {
    config: { auth: 'conversations:write' },
    schema: { tags: ['conversations'], summary: 'Change status: open, pending, snoozed, resolved, closed', params, body: z.strictObject({ status: z.enum(conversationStatuses) }), response: { 200: conversationSchema } },
  }, async (request) => toConversationDto(await conversations.setStatus(request.params.id, request.body.status, actorOf(request))));

  app.post('/api/v1/conversations/:id/read', {
    config: { auth: 'conversations:read' },
    schema: { tags: ['conversations'], summary: 'Mark as read', params, response: { 204: z.null() } },
  }, async (request, reply) => {
    await conversations.markRead(request.params.id);
    return reply.code(204).send(null);
  });
};
