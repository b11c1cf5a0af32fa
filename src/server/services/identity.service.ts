import type { Actor } from '../../shared/permissions.js';
import { mergeCustomersRecorded } from '../pipeline/identity-links.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import type { EventBus } from '../platform/events.js';
import type { MergeRecord } from '../repositories/identity-links.repository.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';
import { recordAudit } from './audit.js';

/**
 * Hand-made corrections of the identity graph: merge suggestions and customer merges. Each is audited and leaves a
 * merge record that undo replays backwards (conversation merges and splits: conversation-operations.service.ts;
 * undo still handles the conversation records written before that service existed).
 */
export const createIdentityService = (deps: { repos: Repositories; uow: UnitOfWork; clock: Clock; events: EventBus }) => {
  const { repos, uow, clock, events } = deps;

  const activeCustomer = async (tx: Repositories, id: string, field: string) => {
    const customer = await tx.customers.get(id);
    if (!customer) throw new AppError('customer_not_found', `no customer ${id}`, field);
    if (await tx.identityLinks.isMerged(id)) throw new AppError('conflict', `customer ${id} was merged into another`, field);
    return customer;
  };

  const mergeInto = async (tx: Repositories, targetId: string, sourceId: string, reason: string, actor: Actor) => {
    if (targetId === sourceId) throw new AppError('validation_failed', 'a customer cannot be merged with itself', 'otherCustomerId');
    await activeCustomer(tx, targetId, 'id');
    await activeCustomer(tx, sourceId, 'otherCustomerId');
    return mergeCustomersRecorded(tx, { sourceId, targetId, reason, actor, now: clock.now() });
  };

  const touched = (ids: string[]) => events.publish({ type: 'conversations.changed', conversationIds: ids });

  return {
    async suggestions(customerId: string) {
      const customer = await repos.customers.get(customerId);
      if (!customer) throw new AppError('customer_not_found', `no customer ${customerId}`);
      return repos.identityLinks.suggestionsFor(customerId);
    },

    /** Merges the suggested pair; the older customer (ids sort by creation) survives. */
    async acceptSuggestion(id: string, actor: Actor) {
      return uow(async (tx) => {
        const suggestion = await tx.identityLinks.suggestion(id);
        if (!suggestion) throw new AppError('not_found', `no merge suggestion ${id}`);
        if (suggestion.status !== 'pending') throw new AppError('conflict', `the suggestion was already ${suggestion.status}`);
        const { mergeId } = await mergeInto(tx, suggestion.customerId, suggestion.otherCustomerId, 'suggestion_accepted', actor);
        await tx.identityLinks.decideSuggestion(id, 'accepted', mergeId, actor.userId, clock.now());
        return (await tx.identityLinks.merge(mergeId)) as MergeRecord;
      });
    },

    async rejectSuggestion(id: string, actor: Actor) {
      return uow(async (tx) => {
        const suggestion = await tx.identityLinks.suggestion(id);
        if (!suggestion) throw new AppError('not_found', `no merge suggestion ${id}`);
        if (suggestion.status !== 'pending') throw new AppError('conflict', `the suggestion was already ${suggestion.status}`);
        const now = clock.now();
        await tx.identityLinks.decideSuggestion(id, 'rejected', null, actor.userId, now);
        await recordAudit(tx, actor, now, 'customer.suggestion_reject', { type: 'merge_suggestion', id }, { customerId: suggestion.customerId, otherCustomerId: suggestion.otherCustomerId });
        return { ...suggestion, status: 'rejected' as const, decidedAt: now };
      });
    },

    async mergeCustomers(id: string, otherCustomerId: string, actor: Actor): Promise<MergeRecord> {
      return uow(async (tx) => {
        const { mergeId } = await mergeInto(tx, id, otherCustomerId, 'manual', actor);
        return (await tx.identityLinks.merge(mergeId)) as MergeRecord;
      });
    },

    /** Puts back exactly what a merge or split moved. */
    async undo(mergeId: string, actor: Actor): Promise<MergeRecord> {
      const record = await uow(async (tx) => {
        const merge = await tx.identityLinks.merge(mergeId);
        if (!merge) throw new AppError('not_found', `no merge ${mergeId}`);
        const now = clock.now();
        if (!(await tx.identityLinks.markUndone(mergeId, actor.userId, now))) throw new AppError('conflict', 'this merge was already undone');
        if (merge.kind === 'customer') {
          await tx.identityLinks.unmergeCustomers(merge.sourceId, merge.targetId, merge.moved, now);
        } else {
          // A merge moved the source's messages into the target; a split moved the target's messages into the source.
          const back = merge.kind === 'conversation_merge' ? merge.sourceId : merge.targetId;
          await tx.identityLinks.moveMessages(merge.moved.messageIds ?? [], back);
          await tx.identityLinks.recountConversation(merge.targetId, now);
          await tx.identityLinks.recountConversation(merge.sourceId, now);
          if (merge.kind === 'conversation_merge') await tx.conversations.setStatus(merge.sourceId, merge.moved.sourceStatus ?? 'open', now);
          else await tx.conversations.setStatus(merge.sourceId, 'closed', now);
        }
        await recordAudit(tx, actor, now, `${merge.kind === 'customer' ? 'customer' : 'conversation'}.merge_undo`, { type: 'merge', id: mergeId }, { kind: merge.kind, targetId: merge.targetId, sourceId: merge.sourceId });
        return (await tx.identityLinks.merge(mergeId)) as MergeRecord;
      });
      if (record.kind !== 'customer') touched([record.targetId, record.sourceId]);
      return record;
    },
  };
};

export type IdentityService = ReturnType<typeof createIdentityService>;
