import type { Executor } from './executor.js';
import { fromJson } from './executor.js';

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'dead';

export interface OutboxItem {
  id: string;
  idempotencyKey: string;
  channelId: string;
  conversationId: string | null;
  messageId: string | null;
  kind: string;
  payload: Record<string, unknown>;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  platformMessageId: string | null;
  createdBy: string | null;
  createdAt: number;
  sentAt: number | null;
}

export const createOutboxRepository = (db: Executor, options: { skipLocked: boolean }) => ({
  /** Returns false when the idempotency key was already used (the earlier item stands). */
  async enqueue(item: { id: string; idempotencyKey: string; channelId: string; conversationId: string | null; messageId: string | null; kind: string; payload: unknown; createdBy: string | null; now: number }): Promise<boolean> {
    const rows = await db
      .insertInto('outbox')
      .values({
        id: item.id,
        idempotency_key: item.idempotencyKey,
        channel_id: item.channelId,
        conversation_id: item.conversationId,
        message_id: item.messageId,
        kind: item.kind,
        payload: JSON.stringify(item.payload),
        status: 'pending',
        attempts: 0,
        next_attempt_at: item.now,
        created_by: item.createdBy,
        created_at: item.now,
        updated_at: item.now,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returning('id')
      .execute();
    return rows.length > 0;
  },

  async findByKey(key: string): Promise<OutboxItem | null> {
    const r = await db.selectFrom('outbox').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
    return r ? mapRow(r) : null;
  },

  async get(id: string): Promise<OutboxItem | null> {
    const r = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? mapRow(r) : null;
  },

  /**
   * Leases due items. A 'sending' item whose lease expired may or may not have reached the platform;
   * it is retried with the same idempotency key, which the adapters pass on where the platform honours one.
   */
  async claim(limit: number, now: number, leaseMs: number): Promise<OutboxItem[]> {
    let candidates = db
      .selectFrom('outbox')
      .select('id')
      .where((eb) => eb.or([eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]), eb.and([eb('status', '=', 'sending'), eb('locked_until', '<', now)])]))
      // A paused channel's sends wait in the outbox, attempts untouched, and go out once it resumes.
      .where('channel_id', 'not in', db.selectFrom('channels').select('id').where('status', '=', 'paused'))
      .orderBy('next_attempt_at')
      .limit(limit);
    if (options.skipLocked) candidates = candidates.forUpdate().skipLocked();
    const rows = await db
      .updateTable('outbox')
      .set((eb) => ({ status: 'sending', locked_until: now + leaseMs, attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('id', 'in', candidates)
      .returningAll()
      .execute();
    return rows.map(mapRow);
  },

  async markSent(id: string, platformMessageId: string, now: number): Promise<void> {
    await db.updateTable('outbox').set({ status: 'sent', platform_message_id: platformMessageId, sent_at: now, locked_until: null, last_error: null, updated_at: now }).where('id', '=', id).execute();
  },

  async markRetry(id: string, error: string, nextAttemptAt: number, now: number): Promise<void> {
    await db.updateTable('outbox').set({ status: 'pending', last_error: error.slice(0, 2000), next_attempt_at: nextAttemptAt, locked_until: null, updated_at: now }).where('id', '=', id).execute();
  },

  async markDead(id: string, error: string, now: number): Promise<void> {
    await db.updateTable('outbox').set({ status: 'dead', last_error: error.slice(0, 2000), locked_until: null, updated_at: now }).where('id', '=', id).execute();
  },

  async countFailures(): Promise<{ dead: number; retrying: number }> {
    const rows = await db
      .selectFrom('outbox')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where((eb) => eb.or([eb('status', '=', 'dead'), eb.and([eb('status', '=', 'pending'), eb('attempts', '>', 0)])]))
      .groupBy('status')
      .execute();
    return { dead: Number(rows.find((r) => r.status === 'dead')?.n ?? 0), retrying: Number(rows.find((r) => r.status === 'pending')?.n ?? 0) };
  },

  async listForConversation(conversationId: string): Promise<OutboxItem[]> {
    return (await db.selectFrom('outbox').selectAll().where('conversation_id', '=', conversationId).orderBy('created_at').execute()).map(mapRow);
  },
});

const mapRow = (r: {
  id: string; idempotency_key: string; channel_id: string; conversation_id: string | null; message_id: string | null; kind: string; payload: string; status: string; attempts: number; next_attempt_at: number; last_error: string | null; platform_message_id: string | null; created_by: string | null; created_at: number; sent_at: number | null;
}): OutboxItem => ({
  id: r.id,
  idempotencyKey: r.idempotency_key,
  channelId: r.channel_id,
  conversationId: r.conversation_id,
  messageId: r.message_id,
  kind: r.kind,
  payload: fromJson(r.payload, {}),
  status: r.status as OutboxStatus,
  attempts: r.attempts,
  nextAttemptAt: Number(r.next_attempt_at),
  lastError: r.last_error,
  platformMessageId: r.platform_message_id,
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  sentAt: r.sent_at === null ? null : Number(r.sent_at),
});

export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
