import { z } from 'zod';
import { idSchema, mergeSchema, mergeSuggestionSchema } from '../../../shared/api.js';
import type { MergeRecord, MergeSuggestion } from '../../repositories/identity-links.repository.js';
import type { IdentityService } from '../../services/identity.service.js';
import { actorOf } from '../auth.js';
import type { App } from '../types.js';

const iso = (ms: number): string => new Date(ms).toISOString();

const toSuggestionDto = (s: MergeSuggestion) => ({ id: s.id, customerId: s.customerId, otherCustomerId: s.otherCustomerId, score: s.score, reasons: s.reasons, status: s.status, mergeId: s.mergeId, createdAt: iso(s.createdAt) });

const toMergeDto = (m: MergeRecord) => ({
  id: m.id,
  kind: m.kind,
  targetId: m.targetId,
  sourceId: m.sourceId,
  moved: { ...(m.moved.identityIds ? { identityIds: m.moved.identityIds } : {}), ...(m.moved.conversationIds ? { conversationIds: m.moved.conversationIds } : {}), ...(m.moved.messageIds ? { messageIds: m.moved.messageIds } : {}) },
  reason: m.reason,
  createdAt: iso(m.createdAt),
  undoneAt: m.undoneAt === null ? null : iso(m.undoneAt),
});

const params = z.strictObject({ id: idSchema });

/** The identity graph: merge suggestions, customer merges, undo. Conversation merges and splits live in conversation-operations.routes.ts. */
export const registerIdentityRoutes = (app: App, deps: { identity: IdentityService }) => {
  const { identity } = deps;

  app.get('/api/v1/customers/:id/suggestions', {
    config: { auth: 'customers:read' },
    schema: { tags: ['customers'], summary: 'Merge suggestions from weak evidence involving this customer', params, response: { 200: z.object({ items: z.array(mergeSuggestionSchema) }) } },
  }, async (request) => ({ items: (await identity.suggestions(request.params.id)).map(toSuggestionDto) }));

  app.post('/api/v1/merge-suggestions/:id/accept', {
    config: { auth: 'customers:write' },
    schema: { tags: ['customers'], summary: 'Accept a suggestion: the two customers become one (audited, undoable)', params, response: { 200: mergeSchema } },
  }, async (request) => toMergeDto(await identity.acceptSuggestion(request.params.id, actorOf(request))));

  app.post('/api/v1/merge-suggestions/:id/reject', {
    config: { auth: 'customers:write' },
    schema: { tags: ['customers'], summary: 'Reject a suggestion; it is not offered again', params, response: { 200: mergeSuggestionSchema } },
  }, async (request) => toSuggestionDto(await identity.rejectSuggestion(request.params.id, actorOf(request))));

  app.post('/api/v1/customers/:id/merge', {
    config: { auth: 'customers:write' },
    schema: { tags: ['customers'], summary: 'Merge another customer into this one (audited, undoable)', params, body: z.strictObject({ otherCustomerId: idSchema }), response: { 200: mergeSchema } },
  }, async (request) => toMergeDto(await identity.mergeCustomers(request.params.id, request.body.otherCustomerId, actorOf(request))));

  app.post('/api/v1/merges/:id/undo', {
    config: { auth: 'customers:write' },
    schema: { tags: ['customers'], summary: 'Undo a customer merge (and conversation merges or splits recorded before conversation operations had their own undo)', params, response: { 200: mergeSchema } },
  }, async (request) => toMergeDto(await identity.undo(request.params.id, actorOf(request))));
};
