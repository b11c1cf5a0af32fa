import { sql } from 'kysely';
import type { Insertable } from 'kysely';
import type { JobsTable } from '../db/schema.js';
import type { Executor } from './executor.js';
import { chunk, compiledOnce, compiledRows, rowOf } from './executor.js';

export interface JobRow {
  id: string;
  type: string;
  payload: string;
  attempts: number;
  maxAttempts: number;
  runAt: number;
  createdAt: number;
}

export interface NewJob {
  id: string;
  type: string;
  payload: string;
  runAt: number;
  maxAttempts?: number;
}

export interface QueueStats {
  depth: number;
  running: number;
  dead: number;
  oldestReadyAt: number | null;
}

const NEW_JOB_COLUMNS = ['id', 'type', 'payload', 'status', 'attempts', 'max_attempts', 'run_at', 'created_at', 'updated_at'] as const satisfies readonly (keyof JobsTable)[];
// Every acknowledgement enqueues its messages' next stage: compiled once per row count (see compiledRows).
const insertJobRows = compiledRows(NEW_JOB_COLUMNS.length, (db: Executor, rows) => db.insertInto('jobs').values(rows.map((r) => rowOf(NEW_JOB_COLUMNS, r) as Insertable<JobsTable>)));

// Only a job no worker has claimed yet (never tried, still pending) takes a new payload.
const extendUnclaimed = compiledOnce((db: Executor, payload: string, now: number, id: string) =>
  db.updateTable('jobs').set({ payload, updated_at: now }).where('id', '=', id).where('status', '=', 'pending').where('attempts', '=', 0).returning('id'),
);

/** The jobs table as a queue: lease-based claims, retries with a due time, and a dead-letter state. */
export const createJobsRepository = (db: Executor, options: { skipLocked: boolean; asyncCommit?: boolean }) => ({
  /**
   * In a transaction of redoable jobs (see JobHandler.redoable): its commit returns without waiting for the log to
   * reach disk, on a store that can commit that way (PostgreSQL: synchronous_commit off for this transaction only).
   */
  async commitWithoutWaitingForDisk(): Promise<void> {
    if (options.asyncCommit) await sql`set local synchronous_commit = off`.execute(db);
  },

  async enqueue(jobs: readonly NewJob[], now: number): Promise<void> {
    await insertJobRows(db, jobs.map((job) => [job.id, job.type, job.payload, 'pending', 0, job.maxAttempts ?? 10, job.runAt, now, now]));
  },

  /**
   * Replaces the payload of a job that no worker has claimed yet (pending, never tried), in the caller's transaction;
   * false when one has claimed it meanwhile (or it is gone), and nothing changed.
   */
  async extendUnclaimed(id: string, payload: string, now: number): Promise<boolean> {
    return (await extendUnclaimed(db, payload, now, id)).length === 1;
  },

  /** Leases up to `limit` ready jobs (pending and due, or running with an expired lease) for `leaseMs`. */
  async claim(workerId: string, limit: number, now: number, leaseMs: number, types?: readonly string[]): Promise<JobRow[]> {
    let candidates = db
      .selectFrom('jobs')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'pending'), eb('run_at', '<=', now)]),
          eb.and([eb('status', '=', 'running'), eb('locked_until', '<', now)]),
        ]),
      )
      .orderBy('run_at')
      .limit(limit);
    if (types && types.length > 0) candidates = candidates.where('type', 'in', types);
    if (options.skipLocked) candidates = candidates.forUpdate().skipLocked();
    const rows = await db
      .updateTable('jobs')
      .set((eb) => ({
        status: 'running',
        locked_until: now + leaseMs,
        locked_by: workerId,
        attempts: eb('attempts', '+', 1),
        updated_at: now,
      }))
      .where('id', 'in', candidates)
      .returning(['id', 'type', 'payload', 'attempts', 'max_attempts', 'run_at', 'created_at'])
      .execute();
    return rows
      .map((r) => ({ id: r.id, type: r.type, payload: r.payload, attempts: r.attempts, maxAttempts: r.max_attempts, runAt: r.run_at, createdAt: r.created_at }))
      .sort((a, b) => a.runAt - b.runAt || (a.id < b.id ? -1 : 1));
  },

  /** Completed jobs leave the table; only the dead stay for inspection. */
  async complete(ids: readonly string[], workerId: string): Promise<number> {
    let removed = 0;
    for (const part of chunk(ids)) {
      const result = await db.deleteFrom('jobs').where('id', 'in', part).where('locked_by', '=', workerId).executeTakeFirst();
      removed += Number(result.numDeletedRows);
    }
    return removed;
  },

  async retry(id: string, error: string, runAt: number, now: number): Promise<void> {
    await db
      .updateTable('jobs')
      .set({ status: 'pending', run_at: runAt, locked_until: null, locked_by: null, last_error: error.slice(0, 2000), updated_at: now })
      .where('id', '=', id)
      .execute();
  },

  async bury(id: string, error: string, now: number): Promise<void> {
    await db
      .updateTable('jobs')
      .set({ status: 'dead', locked_until: null, last_error: error.slice(0, 2000), updated_at: now })
      .where('id', '=', id)
      .execute();
  },

  async stats(now: number): Promise<QueueStats> {
    const row = await db
      .selectFrom('jobs')
      .select([
        sql<number>`sum(case when status = 'pending' then 1 else 0 end)`.as('depth'),
        sql<number>`sum(case when status = 'running' then 1 else 0 end)`.as('running'),
        sql<number>`sum(case when status = 'dead' then 1 else 0 end)`.as('dead'),
        sql<number | null>`min(case when status = 'pending' and run_at <= ${now} then run_at end)`.as('oldest'),
      ])
      .executeTakeFirst();
    return {
      depth: Number(row?.depth ?? 0),
      running: Number(row?.running ?? 0),
      dead: Number(row?.dead ?? 0),
      oldestReadyAt: row?.oldest === null || row?.oldest === undefined ? null : Number(row.oldest),
    };
  },

  async listDead(limit: number): Promise<{ id: string; type: string; attempts: number; lastError: string | null; updatedAt: number }[]> {
    const rows = await db.selectFrom('jobs').select(['id', 'type', 'attempts', 'last_error', 'updated_at']).where('status', '=', 'dead').orderBy('updated_at', 'desc').limit(limit).execute();
    return rows.map((r) => ({ id: r.id, type: r.type, attempts: r.attempts, lastError: r.last_error, updatedAt: r.updated_at }));
  },
});

export type JobsRepository = ReturnType<typeof createJobsRepository>;
