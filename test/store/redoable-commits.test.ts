import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type Transaction } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest, openStore, type Store } from '../../src/server/db/database.js';
import type { DB } from '../../src/server/db/schema.js';
import type { AnyJobHandler } from '../../src/server/jobs/definitions.js';
import { createWorker } from '../../src/server/jobs/worker.js';
import { createLogger } from '../../src/server/platform/logger.js';
import { createRepositories, type UnitOfWork } from '../../src/server/repositories/index.js';
import { createPostgresSchema, dialects, isPostgresAvailable } from '../support/stores.js';

const pgAvailable = await isPostgresAvailable();

/**
 * A transaction of redoable jobs only (the pipeline's stages) commits without waiting for the disk on PostgreSQL;
 * any other job's, or one that may chain a stage that is not redoable, waits as every other commit does.
 */
describe.each(dialects)('redoable job transactions on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let store: Store | null = null;
  let cleanup: () => Promise<void> = async () => undefined;
  afterEach(async () => {
    await store?.close();
    store = null;
    await cleanup();
  });

  /** Runs `types` (each enqueued as a job) through a worker; returns, per transaction, whether it was relaxed and the setting its handlers saw. */
  const run = async (handlers: { type: AnyJobHandler['type']; redoable: boolean; chainTo?: AnyJobHandler['type'] }[], chain: AnyJobHandler['type'][]) => {
    if (dialect === 'postgres') {
      const schema = await createPostgresSchema();
      store = openStore({ databaseUrl: schema.url, dataDir: os.tmpdir() });
      cleanup = schema.drop;
    } else {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-redo-'));
      store = openStore({ databaseUrl: null, dataDir: dir, sqliteFile: ':memory:' });
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
    await migrateToLatest(store);
    const options = { skipLocked: dialect === 'postgres', asyncCommit: dialect === 'postgres' };
    const opened = store;
    let current: Transaction<DB> | null = null;
    const transactions: { relaxed: boolean; seen: Record<string, string> }[] = [];
    const uow: UnitOfWork = (work) =>
      opened.db.transaction().execute((trx) => {
        current = trx;
        const entry = { relaxed: false, seen: {} as Record<string, string> };
        transactions.push(entry);
        const repos = createRepositories(trx, options);
        const relax = repos.jobs.commitWithoutWaitingForDisk;
        repos.jobs.commitWithoutWaitingForDisk = async () => {
          entry.relaxed = true;
          await relax();
        };
        return work(repos);
      });
    const setting = async (): Promise<string> =>
      dialect === 'postgres' ? (await sql<{ s: string }>`select current_setting('synchronous_commit') as s`.execute(current!)).rows[0]!.s : 'n/a';
    const jobHandlers = handlers.map(
      (h) =>
        ({
          type: h.type,
          redoable: h.redoable,
          async handle(_payload: unknown, ctx: Parameters<AnyJobHandler['handle']>[1]) {
            transactions.at(-1)!.seen[h.type] = await setting();
            if (h.chainTo) await ctx.enqueue(h.chainTo, { messageIds: ['m1'] });
          },
        }) as unknown as AnyJobHandler,
    );
    const repos = createRepositories(opened.db, options);
    const worker = createWorker({ uow, repos, handlers: jobHandlers, clock: { now: () => Date.now() }, logger: createLogger('silent'), chain, interactive: () => false });
    await repos.jobs.enqueue([{ id: 'job-1', type: handlers[0]!.type, payload: JSON.stringify({ messageIds: ['m1'] }), runAt: 0 }], 0);
    await worker.drain();
    const after = dialect === 'postgres' ? (await sql<{ s: string }>`select current_setting('synchronous_commit') as s`.execute(opened.db)).rows[0]!.s : 'n/a';
    return { transactions, after };
  };

  it.skipIf(skip)('relaxes a transaction of pipeline stages that are all redoable, for that transaction only', async () => {
    const { transactions, after } = await run(
      [
        { type: 'pipeline.understand', redoable: true, chainTo: 'pipeline.correlate' },
        { type: 'pipeline.correlate', redoable: true },
      ],
      ['pipeline.correlate'],
    );
    // Chained: one transaction for both stages.
    expect(transactions).toHaveLength(1);
    expect(transactions[0]!.relaxed).toBe(true);
    if (dialect === 'postgres') {
      expect(transactions[0]!.seen).toEqual({ 'pipeline.understand': 'off', 'pipeline.correlate': 'off' });
      expect(after).toBe('on');
    }
  });

  it.skipIf(skip)('waits for the disk when a stage it may chain is not redoable, or the job is not', async () => {
    const chained = await run(
      [
        { type: 'pipeline.understand', redoable: true, chainTo: 'pipeline.correlate' },
        { type: 'pipeline.correlate', redoable: false },
      ],
      ['pipeline.correlate'],
    );
    expect(chained.transactions.map((t) => t.relaxed)).toEqual([false]);
    if (dialect === 'postgres') expect(chained.transactions[0]!.seen).toEqual({ 'pipeline.understand': 'on', 'pipeline.correlate': 'on' });
    await store?.close();
    store = null;
    await cleanup();

    const plain = await run([{ type: 'rules.webhook', redoable: false }], []);
    expect(plain.transactions.map((t) => t.relaxed)).toEqual([false]);
    if (dialect === 'postgres') expect(plain.transactions[0]!.seen).toEqual({ 'rules.webhook': 'on' });
  });
});
