import type { Insertable } from 'kysely';
import type { AuditLogTable } from '../db/schema.js';
import { sha256Hex } from '../platform/crypto.js';
import { compiledRows, rowOf, type Executor, type ListsEvery } from './executor.js';

export interface AuditEntry {
  id: string;
  at: number;
  actorId: string | null;
  actorRole: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  data: Record<string, unknown>;
}

export interface StoredAuditEntry extends AuditEntry {
  seq: number;
  prevHash: string;
  hash: string;
}

const genesis = '0'.repeat(64);

/** The hash covers the previous hash and every field, so any edit, insertion or gap breaks the chain. */
export const auditHash = (prevHash: string, seq: number, e: AuditEntry): string =>
  sha256Hex(JSON.stringify([prevHash, seq, e.id, e.at, e.actorId, e.actorRole, e.action, e.targetType, e.targetId, e.data]));

const AUDIT_COLUMNS = ['seq', 'id', 'at', 'actor_id', 'actor_role', 'action', 'target_type', 'target_id', 'data', 'prev_hash', 'hash'] as const;
const everyAuditColumn: ListsEvery<AuditLogTable, (typeof AUDIT_COLUMNS)[number]> = true;
void everyAuditColumn;

/**
 * A batch's entries in statements compiled once per size (see compiledRows): a pipeline batch records about one
 * entry per conversation it assigns, and Kysely built and compiled each 200-row insert anew.
 */
const insertAuditRows = compiledRows(AUDIT_COLUMNS.length, (db: Executor, rows) =>
  db.insertInto('audit_log').values(rows.map((r) => rowOf(AUDIT_COLUMNS, r) as Insertable<AuditLogTable>)),
);

export const createAuditRepository = (db: Executor, options: { skipLocked: boolean }) => ({
  /** Must run inside the caller's transaction so the entry commits with the change it records. */
  async append(entry: AuditEntry): Promise<StoredAuditEntry> {
    await db.insertInto('audit_head').values({ id: 1, seq: 0, hash: genesis }).onConflict((oc) => oc.column('id').doNothing()).execute();
    let headQuery = db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1);
    if (options.skipLocked) headQuery = headQuery.forUpdate();
    const head = await headQuery.executeTakeFirstOrThrow();
    const seq = Number(head.seq) + 1;
    const hash = auditHash(head.hash, seq, entry);
    await db
      .insertInto('audit_log')
      .values({ seq, id: entry.id, at: entry.at, actor_id: entry.actorId, actor_role: entry.actorRole, action: entry.action, target_type: entry.targetType, target_id: entry.targetId, data: JSON.stringify(entry.data), prev_hash: head.hash, hash })
      .execute();
    await db.updateTable('audit_head').set({ seq, hash }).where('id', '=', 1).execute();
    return { ...entry, seq, prevHash: head.hash, hash };
  },

  /**
   * Appends several entries in order under one read of the chain's head (a pipeline batch's records): one lock, one
   * insert, one head update. Must run inside the caller's transaction, as late as it can, since the head stays locked.
   */
  async appendMany(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await db.insertInto('audit_head').values({ id: 1, seq: 0, hash: genesis }).onConflict((oc) => oc.column('id').doNothing()).execute();
    let headQuery = db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1);
    if (options.skipLocked) headQuery = headQuery.forUpdate();
    const head = await headQuery.executeTakeFirstOrThrow();
    let seq = Number(head.seq);
    let prev = head.hash;
    const rows = entries.map((entry) => {
      seq += 1;
      const hash = auditHash(prev, seq, entry);
      // In AUDIT_COLUMNS' order.
      const row = [seq, entry.id, entry.at, entry.actorId, entry.actorRole, entry.action, entry.targetType, entry.targetId, JSON.stringify(entry.data), prev, hash];
      prev = hash;
      return row;
    });
    await insertAuditRows(db, rows);
    await db.updateTable('audit_head').set({ seq, hash: prev }).where('id', '=', 1).execute();
  },

  async page(afterSeq: number, limit: number): Promise<StoredAuditEntry[]> {
    const rows = await db.selectFrom('audit_log').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
    return rows.map((r) => ({
      seq: Number(r.seq),
      id: r.id,
      at: Number(r.at),
      actorId: r.actor_id,
      actorRole: r.actor_role,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      data: JSON.parse(r.data) as Record<string, unknown>,
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
  },

  async head(): Promise<{ seq: number; hash: string }> {
    const r = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
    return r ? { seq: Number(r.seq), hash: r.hash } : { seq: 0, hash: genesis };
  },

  genesis,
});

export type AuditRepository = ReturnType<typeof createAuditRepository>;
