import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest, openStore, type Store } from '../../src/server/db/database.js';
import type { JobHandler, JobType } from '../../src/server/jobs/definitions.js';
import type { MessageClassification } from '../../src/server/repositories/messages.repository.js';
import { mergeMessageIds } from '../../src/server/jobs/definitions.js';
import { createWorker } from '../../src/server/jobs/worker.js';
import { createLogger } from '../../src/server/platform/logger.js';
import { createRepositories, type Repositories, type UnitOfWork } from '../../src/server/repositories/index.js';

/** A migrated in-memory store with its repositories and unit of work, as the app composes them. */
const memoryStore = async (dataDir = os.tmpdir()): Promise<{ store: Store; repos: Repositories; uow: UnitOfWork }> => {
  const store = openStore({ databaseUrl: null, dataDir, sqliteFile: ':memory:' });
  await migrateToLatest(store);
  const repos = createRepositories(store.db, { skipLocked: false });
  const uow: UnitOfWork = (work) => store.db.transaction().execute((trx) => work(createRepositories(trx, { skipLocked: false })));
  return { store, repos, uow };
};

/** How the worker sizes transactions: whole batches when nobody waits, short ones while requests arrive. */
describe('worker transaction sizes', () => {
  let store: Store | null = null;
  let dir = '';
  afterEach(async () => {
    await store?.close();
    store = null;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const setup = async (interactive: () => boolean, costMs: number, yieldTo?: () => Promise<void>) => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'parley-worker-'));
    const { repos, uow, ...opened } = await memoryStore(dir);
    store = opened.store;
    const batches: string[][] = [];
    const handler: JobHandler<'pipeline.understand'> = {
      type: 'pipeline.understand',
      merge: mergeMessageIds,
      async handle({ messageIds }) {
        batches.push(messageIds);
        // Work that costs `costMs` per message: the worker measures it and sizes later batches from it.
        const until = performance.now() + costMs * messageIds.length;
        while (performance.now() < until) {
          /* busy, like a classifier */
        }
      },
    };
    const worker = createWorker({ uow, repos, handlers: [handler], clock: { now: () => Date.now() }, logger: createLogger('silent'), maxBatchMessages: 500, latencyBudgetMs: 10, interactive, ...(yieldTo ? { yieldTo } : {}) });
    const ids = Array.from({ length: 1000 }, (_, i) => `m${String(i).padStart(4, '0')}`);
    await repos.jobs.enqueue([{ id: 'job-1', type: 'pipeline.understand', payload: JSON.stringify({ messageIds: ids }), runAt: 0 }], 0);
    return { worker, batches, ids };
  };

  it('handles a large job in maxBatchMessages-sized transactions when no request is waiting', async () => {
    const { worker, batches, ids } = await setup(() => false, 0.01);
    await worker.drain();
    expect(batches).toEqual([ids.slice(0, 500), ids.slice(500)]);
  });

  it('cuts a large job into budget-sized transactions while requests arrive, losing and repeating nothing', async () => {
    const { worker, batches, ids } = await setup(() => true, 0.2);
    await worker.drain();
    expect(batches.length).toBeGreaterThan(3);
    // 10 ms budget at 0.2 ms per message: the first transaction takes 64 (12.8 ms, over budget), later ones half
    // that, and none grows past the size that last stayed under the budget.
    expect(batches[0]).toHaveLength(64);
    for (const batch of batches.slice(1)) expect(batch.length).toBeLessThanOrEqual(64);
    expect(batches[1]).toHaveLength(32);
    expect(batches.flat().sort()).toEqual(ids);
    const left = await store!.db.selectFrom('jobs').select('id').execute();
    expect(left).toEqual([]);
  });

  it('lets waiting acknowledgements go first: the next transaction starts only once yieldTo resolves', async () => {
    let release: () => void = () => undefined;
    let asked = 0;
    const yieldTo = () => {
      asked += 1;
      return asked === 1 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
    };
    const { worker, batches, ids } = await setup(() => true, 0.01, yieldTo);
    const drained = worker.drain();
    // Asked once the first transaction has committed (however long a busy machine takes to get there).
    const until = Date.now() + 20_000;
    while (asked === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    expect(asked).toBe(1);
    // The first transaction ran; the worker now waits for the pending acknowledgements before the next one.
    await new Promise((r) => setTimeout(r, 30));
    expect(batches).toHaveLength(1);
    release();
    await drained;
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.flat().sort()).toEqual(ids);
  });
});

/** While requests arrive, rounds are paced: the messages of several requests share one transaction. */
describe('worker pacing', () => {
  let store: Store | null = null;
  afterEach(async () => {
    await store?.close();
    store = null;
  });

  it('starts rounds at most every interactivePaceMs while interactive, so jobs queued meanwhile run together', async () => {
    const { repos, uow, ...opened } = await memoryStore();
    store = opened.store;
    const batches: { ids: string[]; at: number }[] = [];
    const handler: JobHandler<'pipeline.understand'> = {
      type: 'pipeline.understand',
      merge: mergeMessageIds,
      async handle({ messageIds }) {
        batches.push({ ids: messageIds, at: performance.now() });
      },
    };
    const worker = createWorker({ uow, repos, handlers: [handler], clock: { now: () => Date.now() }, logger: createLogger('silent'), interactive: () => true, interactivePaceMs: 300, idleDelayMs: 5 });
    const enqueue = async (id: string) => {
      await repos.jobs.enqueue([{ id: `job-${id}`, type: 'pipeline.understand', payload: JSON.stringify({ messageIds: [id] }), runAt: 0 }], 0);
      worker.wake();
    };
    const waitFor = async (n: number) => {
      const until = Date.now() + 20_000;
      while (batches.length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 2));
    };
    worker.start();
    try {
      await enqueue('a');
      await waitFor(1);
      // Two requests' jobs arrive just after a round: both wait for the next one and share its transaction.
      await enqueue('b');
      await new Promise((r) => setTimeout(r, 10));
      await enqueue('c');
      await waitFor(2);
    } finally {
      await worker.stop();
    }
    expect(batches.map((b) => b.ids)).toEqual([['a'], ['b', 'c']]);
    expect(batches[1]!.at - batches[0]!.at).toBeGreaterThanOrEqual(250);
  });
});

/** Chained stages: the next stage of a batch, due now, runs in the same transaction when no request is waiting. */
describe('worker stage chaining', () => {
  let store: Store | null = null;
  afterEach(async () => {
    await store?.close();
    store = null;
  });

  const classified = (id: string): MessageClassification => ({ id, language: 'en', sentiment: 'negative', sentimentScore: -0.5, intent: 'billing', intentScore: 0.9, urgency: 'normal', needsResponse: true, spam: false, classifications: '{}', modelVersion: 'test' });

  /** `handOver`: understand hands its results to correlate when it can, which takes them ('take') or not ('ignore'). */
  const setup = async (options: { failCorrelate: number; interactive: boolean; handOver?: 'take' | 'ignore'; interactiveChain?: readonly JobType[] }) => {
    const { repos, uow, ...opened } = await memoryStore();
    store = opened.store;
    const log: string[] = [];
    let failures = options.failCorrelate;
    const understand: JobHandler<'pipeline.understand'> = {
      type: 'pipeline.understand',
      merge: mergeMessageIds,
      async handle({ messageIds }, ctx) {
        const handed = options.handOver !== undefined && ctx.handOver!('pipeline.correlate', { understood: new Map(messageIds.map((id) => [id, classified(id)])), messages: [] });
        log.push(`understand ${messageIds.join(',')}${handed ? ' (handed over)' : ''}`);
        if (!handed) await ctx.repos.settings.set('understood', messageIds, ctx.now);
        await ctx.enqueue('pipeline.correlate', { messageIds });
      },
    };
    const correlate: JobHandler<'pipeline.correlate'> = {
      type: 'pipeline.correlate',
      merge: mergeMessageIds,
      async handle({ messageIds }, ctx) {
        const taken = options.handOver === 'take' ? ctx.takeOver!('pipeline.correlate') : undefined;
        log.push(`correlate ${messageIds.join(',')}${taken ? ` (took ${[...taken.understood.keys()].join(',')})` : ''}`);
        if (taken) await ctx.repos.settings.set('understood', [...taken.understood.keys()], ctx.now);
        if (failures > 0) {
          failures -= 1;
          throw new Error('correlate failed');
        }
      },
    };
    const worker = createWorker({ uow, repos, handlers: [understand, correlate], clock: { now: () => Date.now() }, logger: createLogger('silent'), interactive: () => options.interactive, chain: ['pipeline.correlate'], ...(options.interactiveChain ? { interactiveChain: options.interactiveChain } : {}) });
    await repos.jobs.enqueue([{ id: 'job-1', type: 'pipeline.understand', payload: JSON.stringify({ messageIds: ['m1', 'm2'] }), runAt: 0 }], 0);
    return { worker, repos, log };
  };

  it('runs the next stage in the same transaction: no job row for it', async () => {
    const { worker, log } = await setup({ failCorrelate: 0, interactive: false });
    expect(await worker.drain()).toBe(1);
    expect(log).toEqual(['understand m1,m2', 'correlate m1,m2']);
    expect(await store!.db.selectFrom('jobs').select('id').execute()).toEqual([]);
  });

  it('runs the stages as jobs of their own while requests arrive', async () => {
    const { worker, log } = await setup({ failCorrelate: 0, interactive: true });
    expect(await worker.drain()).toBe(2);
    expect(log).toEqual(['understand m1,m2', 'correlate m1,m2']);
  });

  it('while requests arrive, still chains the stages named for it, with their hand-over', async () => {
    const { worker, repos, log } = await setup({ failCorrelate: 0, interactive: true, handOver: 'take', interactiveChain: ['pipeline.correlate'] });
    expect(await worker.drain()).toBe(1);
    expect(log).toEqual(['understand m1,m2 (handed over)', 'correlate m1,m2 (took m1,m2)']);
    expect(await repos.settings.get('understood')).toEqual(['m1', 'm2']);
    expect(await store!.db.selectFrom('jobs').select('id').execute()).toEqual([]);
  });

  it('when a chained stage fails, commits the first stage alone and leaves the failing one to fail as its own job', async () => {
    const { worker, repos, log } = await setup({ failCorrelate: 2, interactive: false });
    await worker.drain();
    // Chained try (correlate fails, all rolled back), understand alone, then correlate as its own job (fails once more).
    expect(log).toEqual(['understand m1,m2', 'correlate m1,m2', 'understand m1,m2', 'correlate m1,m2']);
    expect(await repos.settings.get('understood')).toEqual(['m1', 'm2']);
    const jobs = await store!.db.selectFrom('jobs').select(['type', 'attempts', 'last_error']).execute();
    expect(jobs).toEqual([{ type: 'pipeline.correlate', attempts: 1, last_error: 'correlate failed' }]);
  });

  it('hands the results of a stage to the chained stage after it, which writes them', async () => {
    const { worker, repos, log } = await setup({ failCorrelate: 0, interactive: false, handOver: 'take' });
    expect(await worker.drain()).toBe(1);
    expect(log).toEqual(['understand m1,m2 (handed over)', 'correlate m1,m2 (took m1,m2)']);
    expect(await repos.settings.get('understood')).toEqual(['m1', 'm2']);
  });

  it('hands nothing over to a stage that runs as a job of its own', async () => {
    const { worker, repos, log } = await setup({ failCorrelate: 0, interactive: true, handOver: 'take' });
    expect(await worker.drain()).toBe(2);
    expect(log).toEqual(['understand m1,m2', 'correlate m1,m2']);
    expect(await repos.settings.get('understood')).toEqual(['m1', 'm2']);
  });

  it('rolls back results handed over and not taken, and runs the stages one transaction each', async () => {
    const { worker, repos, log } = await setup({ failCorrelate: 0, interactive: false, handOver: 'ignore' });
    await worker.drain();
    expect(log).toEqual(['understand m1,m2 (handed over)', 'correlate m1,m2', 'understand m1,m2', 'correlate m1,m2']);
    expect(await repos.settings.get('understood')).toEqual(['m1', 'm2']);
    expect(await store!.db.selectFrom('jobs').select('id').execute()).toEqual([]);
  });
});
