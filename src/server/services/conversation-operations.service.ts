import type { Actor } from '../../shared/permissions.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import type { EventBus } from '../platform/events.js';
import { newId } from '../platform/ids.js';
import { dueOf, isPaused } from '../pipeline/decide-sla.js';
import type { Conversation } from '../repositories/conversations.repository.js';
import type { ConversationOperation, OperationAfter } from '../repositories/conversations-operations.repository.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';
import type { SlaClockRecord } from '../repositories/sla.repository.js';
import { recordAudit } from './audit.js';
import { previewOf } from '../../shared/preview.js';
import { clockMovesWith, listRowFrom, moreActiveStatus, snapshotOf, splitSelection, unreadTaken, type SplitScope } from './conversation-operations-rows.js';

export interface MergeInput {
  targetId: string;
  /** Required when the two conversations belong to different customers. */
  confirmCrossCustomer?: boolean;
}

export interface SplitInput {
  messageId: string;
  scope: SplitScope;
}

const afterOf = (conversations: readonly Conversation[]): OperationAfter => ({
  conversations: conversations.map((c) => ({ id: c.id, status: c.status, assigneeId: c.assigneeId, messageCount: c.messageCount, lastMessageId: c.lastMessageId })),
});

const openDue = (clocks: readonly SlaClockRecord[]): number | null => dueOf(clocks.filter((c) => c.closedAt === null && c.metAt === null));

/**
 * Merge and split conversations by hand. Each operation keeps a snapshot of everything it changes, is written to the
 * hash-chained audit log, and can be undone while nothing has happened to the conversations since.
 */
export const createConversationOperationsService = (deps: { repos: Repositories; uow: UnitOfWork; clock: Clock; events: EventBus }) => {
  const { repos, uow, clock, events } = deps;

  const mustGetLive = async (tx: Repositories, id: string, field?: string): Promise<Conversation> => {
    const c = await tx.conversations.get(id);
    if (!c) throw new AppError('conversation_not_found', `no conversation ${id}`, field);
    if (c.mergedIntoId) throw new AppError('conflict', `conversation ${id} was merged into ${c.mergedIntoId}`, field, { mergedIntoId: c.mergedIntoId });
    return c;
  };

  const changed = (ids: string[]) => events.publish({ type: 'conversations.changed', conversationIds: ids });

  /** A snooze that a merge or undo hands to another conversation needs that conversation's own wake-up. */
  const scheduleWakes = async (tx: Repositories, conversations: readonly Conversation[], now: number) => {
    const jobs = conversations
      .filter((c) => c.status === 'snoozed' && c.snoozedUntil !== null)
      .map((c) => ({ id: newId(), type: 'conversation.wake' as const, payload: JSON.stringify({ conversationIds: [c.id] }), runAt: Math.max(c.snoozedUntil as number, now) }));
    if (jobs.length) await tx.jobs.enqueue(jobs, now);
  };

  return {
    /** Moves every message, note, outbox row and SLA clock of `sourceId` into the target; the source becomes a tombstone. */
    async merge(sourceId: string, input: MergeInput, actor: Actor): Promise<{ operation: ConversationOperation; target: Conversation }> {
      if (sourceId === input.targetId) throw new AppError('validation_failed', 'a conversation cannot be merged into itself', 'targetId');
      const result = await uow(async (tx) => {
        const source = await mustGetLive(tx, sourceId);
        const target = await mustGetLive(tx, input.targetId, 'targetId');
        const crossCustomer = source.customerId !== target.customerId;
        if (crossCustomer && input.confirmCrossCustomer !== true) {
          throw new AppError('conflict', 'these conversations belong to different customers; confirm to merge them anyway', 'confirmCrossCustomer', { requiresConfirmation: true, sourceCustomerId: source.customerId, targetCustomerId: target.customerId });
        }
        const now = clock.now();
        const [facts, noteIds, outboxIds, sourceClocks, targetClocks] = await Promise.all([
          tx.conversationOperations.messageFacts(source.id),
          tx.conversationOperations.noteIds(source.id),
          tx.conversationOperations.outboxIds(source.id),
          tx.sla.clocksOf(source.id),
          tx.sla.clocksOf(target.id),
        ]);
        const messageIds = facts.map((f) => f.id);
        await tx.conversationOperations.moveMessages(messageIds, target.id);
        await tx.conversationOperations.moveNotes(noteIds, target.id);
        await tx.conversationOperations.moveOutbox(outboxIds, target.id);
        for (const c of sourceClocks) await tx.sla.saveClock({ ...c, conversationId: target.id });

        const status = moreActiveStatus(target.status, source.status);
        const higher = source.priority > target.priority ? source : target;
        const firstResponses = [source.firstResponseAt, target.firstResponseAt].filter((v): v is number => v !== null);
        const merged: Conversation = {
          ...listRowFrom(target, await tx.conversationOperations.messageFacts(target.id), source.unreadCount + target.unreadCount, now),
          status,
          snoozedUntil: status === 'snoozed' ? (target.status === 'snoozed' ? target.snoozedUntil : source.snoozedUntil) : null,
          resolvedAt: status === 'resolved' || status === 'closed' ? (target.resolvedAt ?? source.resolvedAt) : null,
          priority: higher.priority,
          priorityBand: higher.priorityBand,
          priorityParts: higher.priorityParts,
          assigneeId: target.assigneeId ?? source.assigneeId,
          teamId: target.teamId ?? source.teamId,
          customerId: target.customerId ?? source.customerId,
          incidentId: target.incidentId ?? source.incidentId,
          tags: [...new Set([...target.tags, ...source.tags])].sort(),
          firstResponseAt: firstResponses.length ? Math.min(...firstResponses) : null,
          slaDueAt: openDue([...sourceClocks, ...targetClocks].filter((c) => !isPaused(c))),
        };
        const tombstone: Conversation = { ...source, status: 'merged', mergedIntoId: target.id, messageCount: 0, unreadCount: 0, slaDueAt: null, snoozedUntil: null, updatedAt: now };
        await tx.conversationOperations.writeConversation(merged);
        await tx.conversationOperations.writeConversation(tombstone);
        await scheduleWakes(tx, [merged], now);

        const operation: ConversationOperation = {
          id: newId(), kind: 'merge', sourceId: source.id, targetId: target.id, actorId: actor.userId, messageIds,
          before: { conversations: [snapshotOf(source), snapshotOf(target)], clocks: [...sourceClocks, ...targetClocks], noteIds, outboxIds },
          after: afterOf([merged, tombstone]),
          createdAt: now, undoneAt: null, undoneBy: null,
        };
        await tx.conversationOperations.record(operation);
        await recordAudit(tx, actor, now, 'conversation.merge', { type: 'conversation', id: source.id }, { operationId: operation.id, into: target.id, messages: messageIds.length, crossCustomer });
        return { operation, target: merged };
      });
      changed([sourceId, input.targetId]);
      return result;
    },

    /** Moves the chosen message (and, by scope, its replies or everything after it) into a new conversation. */
    async split(sourceId: string, input: SplitInput, actor: Actor): Promise<{ operation: ConversationOperation; conversation: Conversation }> {
      const result = await uow(async (tx) => {
        const source = await mustGetLive(tx, sourceId);
        const facts = await tx.conversationOperations.messageFacts(source.id);
        const moved = splitSelection(facts, input.messageId, input.scope);
        if (moved.length === 0) throw new AppError('message_not_found', `message ${input.messageId} is not in conversation ${source.id}`, 'messageId');
        if (moved.length === facts.length) throw new AppError('validation_failed', 'the split would take every message; choose a later message or a narrower scope', 'messageId');
        const now = clock.now();
        const movedIds = new Set(moved.map((m) => m.id));
        const [outboxIds, clocks] = await Promise.all([tx.conversationOperations.outboxIds(source.id, [...movedIds]), tx.sla.clocksOf(source.id)]);
        const chosen = moved[0]!;
        const id = newId();
        const takenUnread = unreadTaken(facts, source.unreadCount, movedIds);
        const base: Conversation = {
          ...source,
          id,
          threadKey: `${source.threadKey}#split:${id}`,
          visibility: chosen.visibility,
          subject: chosen.subject ?? source.subject,
          customerId: moved.find((m) => m.direction === 'in')?.customerId ?? source.customerId,
          status: 'open',
          snoozedUntil: null,
          resolvedAt: null,
          mergedIntoId: null,
          incidentId: null,
          tags: [],
          createdAt: chosen.createdAt,
        };
        await tx.conversationOperations.writeConversation({ ...base, messageCount: 0, unreadCount: 0, lastMessageId: null, updatedAt: now });
        await tx.conversationOperations.moveMessages([...movedIds], id);
        await tx.conversationOperations.moveOutbox(outboxIds, id);
        const movingClocks = clocks.filter((c) => clockMovesWith(c, facts, movedIds));
        for (const c of movingClocks) await tx.sla.saveClock({ ...c, conversationId: id });
        const staying = clocks.filter((c) => !movingClocks.includes(c));

        const created: Conversation = { ...listRowFrom(base, moved, takenUnread, now), slaDueAt: openDue(movingClocks.filter((c) => !isPaused(c))) };
        const rest: Conversation = { ...listRowFrom(source, facts.filter((f) => !movedIds.has(f.id)), source.unreadCount - takenUnread, now), slaDueAt: openDue(staying.filter((c) => !isPaused(c))) };
        await tx.conversationOperations.writeConversation(created);
        await tx.conversationOperations.writeConversation(rest);

        const operation: ConversationOperation = {
          id: newId(), kind: 'split', sourceId: source.id, targetId: id, actorId: actor.userId, messageIds: [...movedIds],
          before: { conversations: [snapshotOf(source)], clocks, noteIds: [], outboxIds },
          after: afterOf([rest, created]),
          createdAt: now, undoneAt: null, undoneBy: null,
        };
        await tx.conversationOperations.record(operation);
        await recordAudit(tx, actor, now, 'conversation.split', { type: 'conversation', id: source.id }, { operationId: operation.id, into: id, messageId: input.messageId, scope: input.scope, messages: movedIds.size });
        return { operation, conversation: created };
      });
      changed([sourceId, result.conversation.id]);
      return result;
    },

    /** Operations on a conversation, newest first (for the undo affordance and the history). */
    list: (conversationId: string) => repos.conversationOperations.touching([conversationId], 20),

    /**
     * Puts back exactly what the operation changed. Refused when something happened since that the snapshot does not
     * know about: a later merge or split, new messages, a status or assignment change, notes on a split-off conversation.
     */
    async undo(operationId: string, actor: Actor): Promise<ConversationOperation> {
      const op = await uow(async (tx) => {
        const operation = await tx.conversationOperations.get(operationId);
        if (!operation) throw new AppError('not_found', `no conversation operation ${operationId}`);
        if (operation.undoneAt !== null) throw new AppError('conflict', `this ${operation.kind} was already undone`);
        const ids = [operation.sourceId, operation.targetId];
        const later = (await tx.conversationOperations.touching(ids)).filter((o) => o.undoneAt === null && o.id > operation.id);
        if (later.length) throw new AppError('conflict', `a later ${later[0]!.kind} (${later[0]!.id}) changed these conversations; undo it first`, undefined, { blockedBy: later.map((o) => o.id) });
        const problems: string[] = [];
        for (const expected of operation.after.conversations) {
          const current = await tx.conversations.get(expected.id);
          if (!current) {
            problems.push(`conversation ${expected.id} no longer exists`);
            continue;
          }
          const added = current.messageCount - expected.messageCount;
          if (added !== 0 || current.lastMessageId !== expected.lastMessageId) problems.push(added > 0 ? `conversation ${expected.id} has ${added} new message(s) since` : `the messages of conversation ${expected.id} changed since`);
          if (current.status !== expected.status) problems.push(`conversation ${expected.id} changed status from ${expected.status} to ${current.status}`);
          if (current.assigneeId !== expected.assigneeId) problems.push(`conversation ${expected.id} was reassigned`);
        }
        const knownClocks = new Set(operation.before.clocks.map((c) => c.id));
        if ((await tx.conversationOperations.clockIds(ids)).some((id) => !knownClocks.has(id))) problems.push('a new SLA clock started since');
        if (operation.kind === 'split' && (await tx.conversationOperations.noteIds(operation.targetId)).length) problems.push('notes were added to the split-off conversation');
        if (problems.length) throw new AppError('conflict', `undoing this ${operation.kind} is no longer safe: ${problems.join('; ')}`, undefined, { problems });

        const now = clock.now();
        await tx.conversationOperations.moveMessages(operation.messageIds, operation.sourceId);
        await tx.conversationOperations.moveNotes(operation.before.noteIds, operation.sourceId);
        await tx.conversationOperations.moveOutbox(operation.before.outboxIds, operation.sourceId);
        for (const c of operation.before.clocks) await tx.sla.saveClock(c);
        for (const c of operation.before.conversations) {
          // The snapshot holds no customer text: the subject stays as it is now, the preview comes from the last message.
          const current = await tx.conversations.get(c.id);
          const last = c.lastMessageId ? await tx.messages.get(c.lastMessageId) : null;
          await tx.conversationOperations.writeConversation({ ...c, subject: current?.subject ?? null, lastMessagePreview: last ? previewOf(last.text) : '' });
        }
        // A snooze whose wake-up ran while the conversation was merged away would otherwise never end.
        await scheduleWakes(tx, operation.before.conversations, now);
        if (operation.kind === 'split') await tx.conversationOperations.deleteConversation(operation.targetId);
        if (!(await tx.conversationOperations.markUndone(operation.id, actor.userId, now))) throw new AppError('conflict', `this ${operation.kind} was already undone`);
        await recordAudit(tx, actor, now, `conversation.${operation.kind}.undo`, { type: 'conversation', id: operation.sourceId }, { operationId: operation.id, target: operation.targetId, messages: operation.messageIds.length });
        return { ...operation, undoneAt: now, undoneBy: actor.userId };
      });
      changed([op.sourceId, op.targetId]);
      return op;
    },
  };
};

export type ConversationOperationsService = ReturnType<typeof createConversationOperationsService>;
