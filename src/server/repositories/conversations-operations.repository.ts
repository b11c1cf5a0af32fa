import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Conversation } from './conversations.repository.js';
import { decideDb } from './decide-tables.js';
import type { SlaClockRecord } from './sla.repository.js';
import { chunk, fromJson, type Executor } from './executor.js';

interface ConversationOperationsTable {
  id: string;
  kind: string;
  source_id: string;
  target_id: string;
  actor_id: string;
  message_ids: string;
  before: string;
  after: string;
  created_at: number;
  undone_at: number | null;
  undone_by: string | null;
}

/** What an undo puts back: every touched conversation row, the clocks they held, and the notes and outbox rows that moved. */
export interface OperationSnapshot {
  conversations: Conversation[];
  clocks: SlaClockRecord[];
  noteIds: string[];
  outboxIds: string[];
}

/** The facts an undo compares against the store to tell whether anything happened since. */
export interface OperationAfter {
  conversations: { id: string; status: string; assigneeId: string | null; messageCount: number; lastMessageId: string | null }[];
}

export interface ConversationOperation {
  id: string;
  kind: 'merge' | 'split';
  /** Merge: the absorbed conversation. Split: the conversation messages left. */
  sourceId: string;
  /** Merge: the conversation that absorbed. Split: the new conversation. */
  targetId: string;
  actorId: string;
  messageIds: string[];
  before: OperationSnapshot;
  after: OperationAfter;
  createdAt: number;
  undoneAt: number | null;
  undoneBy: string | null;
}

/** The message facts a list row is computed from. */
export interface MessageFact {
  id: string;
  externalId: string;
  inReplyTo: string | null;
  direction: 'in' | 'out';
  visibility: string;
  subject: string | null;
  text: string;
  createdAt: number;
  sentByUserId: string | null;
  customerId: string | null;
  sentiment: string | null;
  intent: string | null;
  language: string | null;
}

type OpsDB = DB & { conversation_operations: ConversationOperationsTable };

const toOperation = (r: ConversationOperationsTable): ConversationOperation => ({
  id: r.id,
  kind: r.kind as ConversationOperation['kind'],
  sourceId: r.source_id,
  targetId: r.target_id,
  actorId: r.actor_id,
  messageIds: fromJson(r.message_ids, []),
  before: fromJson<OperationSnapshot>(r.before, { conversations: [], clocks: [], noteIds: [], outboxIds: [] }),
  after: fromJson<OperationAfter>(r.after, { conversations: [] }),
  createdAt: Number(r.created_at),
  undoneAt: r.undone_at === null ? null : Number(r.undone_at),
  undoneBy: r.undone_by,
});

const rowOf = (c: Conversation) => ({
  channel_id: c.channelId,
  brand_id: c.brandId,
  customer_id: c.customerId,
  thread_key: c.threadKey,
  status: c.status,
  visibility: c.visibility,
  subject: c.subject,
  priority: c.priority,
  priority_band: c.priorityBand,
  priority_parts: JSON.stringify(c.priorityParts),
  sentiment: c.sentiment,
  intent: c.intent,
  language: c.language,
  assignee_id: c.assigneeId,
  team_id: c.teamId,
  queue: c.queue,
  message_count: c.messageCount,
  unread_count: c.unreadCount,
  last_message_id: c.lastMessageId,
  last_message_at: c.lastMessageAt,
  last_message_preview: c.lastMessagePreview,
  last_message_direction: c.lastMessageDirection,
  last_inbound_at: c.lastInboundAt,
  first_response_at: c.firstResponseAt,
  sla_due_at: c.slaDueAt,
  incident_id: c.incidentId,
  tags: JSON.stringify(c.tags),
  created_at: c.createdAt,
  updated_at: c.updatedAt,
  resolved_at: c.resolvedAt,
  snoozed_until: c.snoozedUntil,
  merged_into_id: c.mergedIntoId,
});

/** Merge and split by hand: moving messages, notes and outbox rows between conversations, and the log that undoes it. */
export const createConversationOperationsRepository = (executor: Executor) => {
  const db = executor as unknown as Kysely<OpsDB>;
  return {
    async record(op: ConversationOperation): Promise<void> {
      await db
        .insertInto('conversation_operations')
        .values({ id: op.id, kind: op.kind, source_id: op.sourceId, target_id: op.targetId, actor_id: op.actorId, message_ids: JSON.stringify(op.messageIds), before: JSON.stringify(op.before), after: JSON.stringify(op.after), created_at: op.createdAt, undone_at: null, undone_by: null })
        .execute();
    },

    async get(id: string): Promise<ConversationOperation | null> {
      const r = await db.selectFrom('conversation_operations').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toOperation(r) : null;
    },

    /** Operations touching any of these conversations, newest first. */
    async touching(conversationIds: readonly string[], limit = 50): Promise<ConversationOperation[]> {
      if (conversationIds.length === 0) return [];
      const rows = await db
        .selectFrom('conversation_operations')
        .selectAll()
        .where((eb) => eb.or([eb('source_id', 'in', conversationIds), eb('target_id', 'in', conversationIds)]))
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toOperation);
    },

    /** False when another undo got there first. */
    async markUndone(id: string, by: string, at: number): Promise<boolean> {
      const r = await db.updateTable('conversation_operations').set({ undone_at: at, undone_by: by }).where('id', '=', id).where('undone_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /** Every message of a conversation with the facts its list row depends on, oldest first. */
    async messageFacts(conversationId: string): Promise<MessageFact[]> {
      const rows = await db
        .selectFrom('messages')
        .select(['id', 'external_id', 'in_reply_to', 'direction', 'visibility', 'subject', 'text', 'created_at', 'sent_by_user_id', 'customer_id', 'sentiment', 'intent', 'language'])
        .where('conversation_id', '=', conversationId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        id: r.id, externalId: r.external_id, inReplyTo: r.in_reply_to, direction: r.direction as 'in' | 'out', visibility: r.visibility, subject: r.subject, text: r.text, createdAt: Number(r.created_at),
        sentByUserId: r.sent_by_user_id, customerId: r.customer_id, sentiment: r.sentiment, intent: r.intent, language: r.language,
      }));
    },

    async noteIds(conversationId: string): Promise<string[]> {
      return (await db.selectFrom('notes').select('id').where('conversation_id', '=', conversationId).execute()).map((r) => r.id);
    },

    /** Outbox rows of a conversation, or only those of the given messages. */
    async outboxIds(conversationId: string, messageIds?: readonly string[]): Promise<string[]> {
      let q = db.selectFrom('outbox').select('id').where('conversation_id', '=', conversationId);
      if (messageIds) {
        if (messageIds.length === 0) return [];
        q = q.where('message_id', 'in', messageIds);
      }
      return (await q.execute()).map((r) => r.id);
    },

    async moveMessages(ids: readonly string[], conversationId: string): Promise<void> {
      for (const part of chunk(ids)) await db.updateTable('messages').set({ conversation_id: conversationId }).where('id', 'in', part).execute();
    },

    async moveNotes(ids: readonly string[], conversationId: string): Promise<void> {
      for (const part of chunk(ids)) await db.updateTable('notes').set({ conversation_id: conversationId }).where('id', 'in', part).execute();
    },

    async moveOutbox(ids: readonly string[], conversationId: string): Promise<void> {
      for (const part of chunk(ids)) await db.updateTable('outbox').set({ conversation_id: conversationId }).where('id', 'in', part).execute();
    },

    /** Writes a whole conversation row: a new one (split), a recomputed one, or a snapshot put back (undo). */
    async writeConversation(c: Conversation): Promise<void> {
      const row = rowOf(c);
      await db.insertInto('conversations').values({ id: c.id, ...row }).onConflict((oc) => oc.column('id').doUpdateSet(row)).execute();
    },

    /** Removes a conversation a split created, once its messages are back where they came from. */
    async deleteConversation(id: string): Promise<void> {
      await db.deleteFrom('conversations').where('id', '=', id).execute();
    },

    /** Agents' latest label corrections per message (field → value), to show in place of the model's reading. */
    async correctionsOf(messageIds: readonly string[]): Promise<Map<string, Record<string, string>>> {
      const out = new Map<string, Record<string, string>>();
      const corrections = executor as unknown as Kysely<{ label_corrections: { message_id: string; field: string; value: string; created_at: number } }>;
      for (const part of chunk(messageIds)) {
        const rows = await corrections.selectFrom('label_corrections').select(['message_id', 'field', 'value']).where('message_id', 'in', part).orderBy('created_at').execute();
        for (const r of rows) out.set(r.message_id, { ...(out.get(r.message_id) ?? {}), [r.field]: r.value });
      }
      return out;
    },

    /** Ids of every SLA clock of these conversations, open or closed. */
    async clockIds(conversationIds: readonly string[]): Promise<string[]> {
      if (conversationIds.length === 0) return [];
      return (await decideDb(executor).selectFrom('sla_clocks').select('id').where('conversation_id', 'in', conversationIds).execute()).map((r) => r.id);
    },
  };
};

export type ConversationOperationsRepository = ReturnType<typeof createConversationOperationsRepository>;
