import { z } from 'zod';
import { conversationOperationSchema, conversationSchema, idSchema } from '../../../shared/api.js';
import type { ConversationOperation } from '../../repositories/conversations-operations.repository.js';
import type { ConversationOperationsService } from '../../services/conversation-operations.service.js';
import type { ConversationsService } from '../../services/conversations.service.js';
import { actorOf } from '../auth.js';
import { toConversationDto } from '../mappers.js';
import type { App } from '../types.js';

const iso = (ms: number): string => new Date(ms).toISOString();

const toOperationDto = (o: ConversationOperation) => ({
  id: o.id,
  kind: o.kind,
  sourceId: o.sourceId,
  targetId: o.targetId,
  actorId: o.actorId,
  messageIds: o.messageIds,
  createdAt: iso(o.createdAt),
  undoneAt: o.undoneAt === null ? null : iso(o.undoneAt),
  undoneBy: o.undoneBy,
});

const params = z.strictObject({ id: idSchema });

/** Snooze, and merge and split by hand with undo. */
export const registerConversationOperationRoutes = (app: App, deps: { conversations: ConversationsService; operations: ConversationOperationsService }) => {
  const { conversations, operations } = deps;

  app.post('/api/v1/conversations/:id/snooze', {
    config: { auth: 'conversations:write' },
    schema: {
      tags: ['conversations'],
      summary: 'Snooze until a time: leaves the open queue, comes back then or when the customer writes; SLA clocks keep running',
      params,
      body: z.strictObject({ until: z.string().datetime({ offset: true }).describe('ISO 8601 date-time in the future, at most a year ahead') }),
      response: { 200: conversationSchema },
    },
  }, async (request) => toConversationDto(await conversations.snooze(request.params.id, Date.parse(request.body.until), actorOf(request))));

  app.post('/api/v1/conversations/:id/merge', {
    config: { auth: 'conversations:merge' },
    schema: {
      tags: ['conversations'],
      summary: 'Merge this conversation into another (messages, notes and SLA clocks move; this one becomes a tombstone pointing at the target); audited, undoable',
      params,
      body: z.strictObject({ targetId: idSchema, confirmCrossCustomer: z.boolean().optional().describe('required when the conversations belong to different customers') }),
      response: { 200: z.object({ operation: conversationOperationSchema, conversation: conversationSchema }) },
    },
  }, async (request) => {
    const { operation, target } = await operations.merge(request.params.id, request.body, actorOf(request));
    return { operation: toOperationDto(operation), conversation: toConversationDto(target) };
  });

  app.post('/api/v1/conversations/:id/split', {
    config: { auth: 'conversations:merge' },
    schema: {
      tags: ['conversations'],
      summary: 'Split a message (with its replies, or with everything after it) into a new conversation; audited, undoable',
      params,
      body: z.strictObject({
        messageId: idSchema,
        scope: z.enum(['message', 'replies', 'following']).default('replies').describe("'message' alone, its 'replies' by reply reference, or every message 'following' from it"),
      }),
      response: { 201: z.object({ operation: conversationOperationSchema, conversation: conversationSchema }) },
    },
  }, async (request, reply) => {
    const { operation, conversation } = await operations.split(request.params.id, request.body, actorOf(request));
    return reply.code(201).send({ operation: toOperationDto(operation), conversation: toConversationDto(conversation) });
  });

  app.get('/api/v1/conversations/:id/operations', {
    config: { auth: 'conversations:read' },
    schema: { tags: ['conversations'], summary: 'Merges and splits involving this conversation, newest first', params, response: { 200: z.object({ items: z.array(conversationOperationSchema) }) } },
  }, async (request) => ({ items: (await operations.list(request.params.id)).map(toOperationDto) }));

  app.post('/api/v1/conversation-operations/:id/undo', {
    config: { auth: 'conversations:merge' },
    schema: { tags: ['conversations'], summary: 'Undo a merge or split, restoring the exact previous state; refused (409) when later changes make it unsafe', params, response: { 200: conversationOperationSchema } },
  }, async (request) => toOperationDto(await operations.undo(request.params.id, actorOf(request))));
};
