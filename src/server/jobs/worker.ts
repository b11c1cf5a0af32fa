import type { Logger } from '../platform/logger.js';
import type { Clock } from '../platform/clock.js';
import { PermanentError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';
import type { AnyJobHandler, JobContext, JobHandOvers, JobPayloads, JobType } from './definitions.js';
import { createPollingLoop } from './polling-loop.js';
import { pushTo } from '../../shared/collections.js';

export interface WorkerMetrics {
  stageDuration(stage: string, seconds: number, count: number): void;
  jobFailed(type: string, dead: boolean): void;
}

export interface WorkerOptions {
  uow: UnitOfWork;
  repos: Repositories;
  handlers: readonly AnyJobHandler[];
  clock: Clock;
  logger: Logger;
  metrics?: WorkerMetrics;
  /** Jobs claimed per round; their payloads are merged per type into one transaction. */
  claimLimit?: number;
  /** Upper bound of messages handled in one transaction, to keep the single SQLite writer responsive. */
  maxBatchMessages?: number;
  leaseMs?: number;
  idleDelayMs?: number;
  workerId?: string;
  /**
   * While `interactive()` says requests are arriving (the embedded store has one writer on the same thread as
   * the web server), each stage's transactions are sized from how long its recent ones took, to stay near this
   * many milliseconds, so an acknowledgement never waits behind a long batch. Otherwise batches use
   * `maxBatchMessages`.
   */
  latencyBudgetMs?: number;
  interactive?: () => boolean;
  /**
   * While `interactive()` says requests are arriving, rounds start at most this often (default 20 ms), so each
   * transaction carries the messages of several requests instead of one or two: at 1,000 messages a second a
   * round per request paid a claim and a commit per stage for every few messages, which took the thread that also
   * answers HTTP away from the acknowledgements. Messages wait at most this long more before they are worked on.
   */
  interactivePaceMs?: number;
  /**
   * Awaited before each transaction: resolves once acknowledgements waiting to be written have been (the ingest
   * group commit), so a request never waits behind a pipeline transaction that started after it arrived.
   */
  yieldTo?: () => Promise<void>;
  /**
   * Job types that, enqueued by a handler to run now, run in the same transaction (the next pipeline stages), while
   * `interactive()` is false; while it is true, only those of `interactiveChain`.
   */
  chain?: readonly JobType[];
  /**
   * The stages of `chain` still chained while `interactive()` says requests are arriving (default none). A stage
   * whose own work is light (understand: a read and a hand-over, its classifying done on the classifier thread)
   * lengthens the transaction it joins by little, and chaining it saves a commit, a second write of each message and
   * a job; the heavy stages keep a transaction each, so none carries two of them while requests wait.
   */
  interactiveChain?: readonly JobType[];
}

export interface Worker {
  start(): void;
  stop(): Promise<void>;
  /** Run now instead of waiting for the next poll. */
  wake(): void;
  /** Process until nothing is ready (tests, CLI import). Returns the number of jobs handled. */
  drain(): Promise<number>;
}

/** Exponential backoff with ±20% jitter, capped at five minutes. */
export const backoffMs = (attempts: number): number => {
  const base = Math.min(300_000, 1000 * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
};

const messageCount = (payload: string): number => {
  const parsed = JSON.parse(payload) as { messageIds?: unknown[] };
  return Math.max(1, parsed.messageIds?.length ?? 1);
};

/** A payload that is only a list of message ids can be cut into parts handled in separate transactions. */
const splittable = (payload: unknown): payload is { messageIds: string[] } =>
  typeof payload === 'object' && payload !== null && Array.isArray((payload as { messageIds?: unknown }).messageIds) && Object.keys(payload).length === 1;

/** A stage run in its predecessor's transaction failed: the predecessor is then run and committed alone. */
class ChainedStageFailure extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** Smallest transaction in latency mode: below this, per-transaction overhead costs more than it saves. */
const MIN_LATENCY_BATCH = 16;
/** Latency-mode size of a stage's first transaction, before any has been timed. */
const FIRST_LATENCY_BATCH = MIN_LATENCY_BATCH * 4;

export const createWorker = (options: WorkerOptions): Worker => {
  const { uow, repos, clock, logger } = options;
  const handlers = new Map(options.handlers.map((h) => [h.type, h]));
  const claimLimit = options.claimLimit ?? 50;
  const maxBatch = options.maxBatchMessages ?? 500;
  const leaseMs = options.leaseMs ?? 60_000;
  const idleDelayMs = options.idleDelayMs ?? 100;
  const workerId = options.workerId ?? `worker-${newId()}`;
  const latencyBudgetMs = options.latencyBudgetMs ?? 10;
  // Latency-mode transaction size per job type, steered by how long the last one took: halved when it ran over
  // the budget, grown by a quarter when it took under half of it. Per-message cost alone would mislead: each
  // transaction also pays fixed costs (commit, configuration reads) that small batches do not amortise.
  const latencyLimits = new Map<string, number>();
  const batchLimit = (type: string): number => (options.interactive?.() ? Math.min(maxBatch, latencyLimits.get(type) ?? FIRST_LATENCY_BATCH) : maxBatch);
  const adjustLimit = (type: string, elapsedMs: number, handled: number): void => {
    if (!options.interactive?.()) return;
    const current = latencyLimits.get(type) ?? FIRST_LATENCY_BATCH;
    if (elapsedMs > latencyBudgetMs) latencyLimits.set(type, Math.max(MIN_LATENCY_BATCH, Math.floor(Math.min(current, handled) / 2)));
    else if (elapsedMs < latencyBudgetMs / 2 && handled >= current) latencyLimits.set(type, Math.min(maxBatch, Math.ceil(current * 1.25)));
  };

  const chainNone = new Set<string>();
  const chainAlways = new Set<string>(options.chain ?? []);
  const chainInteractive = new Set<string>((options.interactiveChain ?? []).filter((t) => chainAlways.has(t)));

  // While a request may be waiting on the embedded store, only the stages of interactiveChain are chained: a chained
  // transaction is as long as all its stages. `chainOn` false runs this stage alone (a chained stage failed).
  const runJobs = async (type: JobType, jobs: { id: string; payload: string }[], limit = Number.POSITIVE_INFINITY, chainOn = true): Promise<void> => {
    const chainable = !chainOn ? chainNone : options.interactive?.() ? chainInteractive : chainAlways;
    const chain = chainable.size > 0;
    const handler = handlers.get(type) as AnyJobHandler | undefined;
    if (!handler) throw new PermanentError(`no handler for job type ${type}`);
    const payloads = jobs.map((j) => JSON.parse(j.payload) as JobPayloads[typeof type]);
    let merged = payloads.length === 1 || !handler.merge ? payloads[0] : (handler.merge as (p: unknown[]) => JobPayloads[typeof type])(payloads);
    // A job larger than this transaction may take is cut: the rest goes back to the queue in the same commit.
    let rest: string[] = [];
    if (splittable(merged) && merged.messageIds.length > limit) {
      rest = merged.messageIds.slice(limit);
      merged = { messageIds: merged.messageIds.slice(0, limit) } as typeof merged;
    }
    // Work outside the transaction (classifying on another thread) counts in the stage's time, not in the
    // transaction's, which is what the latency-mode batch size steers.
    const prepareStarted = performance.now();
    await handler.prepare?.(merged as never, repos);
    const prepareMs = performance.now() - prepareStarted;
    const effects: (() => void)[] = [];
    const started = performance.now();
    // Time spent in chained stages: reported under their own types, not this one.
    let chainedMs = 0;
    // Every stage this transaction may run is redoable: its commit need not wait for the disk.
    const redoable = handler.redoable === true && (!chain || [...chainable].every((t) => !handlers.has(t as JobType) || handlers.get(t as JobType)!.redoable === true));
    await uow(async (tx) => {
      if (redoable) await tx.jobs.commitWithoutWaitingForDisk();
      const now = clock.now();
      // Follow-up jobs are inserted together at the end of the handler: one multi-row insert per batch.
      const followUps: { id: string; type: string; payload: string; runAt: number }[] = [];
      if (rest.length > 0) followUps.push({ id: newId(), type, payload: JSON.stringify({ messageIds: rest }), runAt: now });
      // Results a stage hands to the chained stage after it (see JobContext.handOver), until that stage takes them.
      const handedOver = new Map<string, unknown>();
      const ctx: JobContext = {
        repos: tx,
        now,
        enqueue: async (t, payload, runAt) => {
          followUps.push({ id: newId(), type: t, payload: JSON.stringify(payload), runAt: runAt ?? now });
        },
        afterCommit: (effect) => effects.push(effect),
        handOver: (t, value) => {
          if (!chain || !chainable.has(t) || !handlers.has(t) || t === type) return false;
          handedOver.set(t, value);
          return true;
        },
        takeOver: <T extends keyof JobHandOvers>(t: T) => {
          const value = handedOver.get(t) as JobHandOvers[T] | undefined;
          handedOver.delete(t);
          return value;
        },
      };
      await (handler.handle as (p: unknown, c: JobContext) => Promise<void>)(merged, ctx);
      // The next stage of this batch, due now, runs in this same transaction instead of as a job of its own: its
      // work commits with this stage's, and the rows both touch are written to the WAL once instead of once per
      // stage. Each stage still runs its own handler; if any fails, the whole transaction is tried again without
      // chaining (see round), so a failing stage fails as its own job.
      for (let i = 0; chain && i < followUps.length; i += 1) {
        const next = followUps[i]!;
        const nextHandler = handlers.get(next.type as JobType) as AnyJobHandler | undefined;
        if (!chainable.has(next.type) || next.runAt > now || !nextHandler || next.type === type) continue;
        followUps.splice(i, 1);
        i -= 1;
        const payload = JSON.parse(next.payload) as unknown;
        const chainStarted = performance.now();
        try {
          await (nextHandler.handle as (p: unknown, c: JobContext) => Promise<void>)(payload, ctx);
        } catch (error) {
          throw new ChainedStageFailure(error);
        }
        const chainMs = performance.now() - chainStarted;
        chainedMs += chainMs;
        const n = typeof payload === 'object' && payload !== null && 'messageIds' in payload && Array.isArray(payload.messageIds) ? payload.messageIds.length : 1;
        effects.push(() => options.metrics?.stageDuration(next.type, chainMs / 1000, n));
      }
      // Handed-over results nobody took would be lost with this commit: the stages run one transaction each instead.
      if (handedOver.size > 0) throw new ChainedStageFailure(new Error(`results handed to ${[...handedOver.keys()].join(', ')} were not taken`));
      if (followUps.length > 0) {
        await tx.jobs.enqueue(followUps, now);
        effects.push(() => api.wake());
      }
      await tx.jobs.complete(jobs.map((j) => j.id), workerId);
    });
    const count = merged && typeof merged === 'object' && 'messageIds' in merged ? merged.messageIds.length : jobs.length;
    const elapsedMs = performance.now() - started;
    adjustLimit(type, elapsedMs, count);
    options.metrics?.stageDuration(type, (prepareMs + elapsedMs - chainedMs) / 1000, count);
    for (const effect of effects) effect();
  };

  const fail = async (job: { id: string; type: string; attempts: number; maxAttempts: number }, error: unknown): Promise<void> => {
    const message = error instanceof Error ? error.message : String(error);
    const now = clock.now();
    const dead = error instanceof PermanentError || job.attempts >= job.maxAttempts;
    if (dead) await repos.jobs.bury(job.id, message, now);
    else await repos.jobs.retry(job.id, message, now + backoffMs(job.attempts), now);
    options.metrics?.jobFailed(job.type, dead);
    logger.warn({ jobId: job.id, type: job.type, attempts: job.attempts, dead, err: message }, dead ? 'job dead-lettered' : 'job failed, will retry');
  };

  const paceMs = options.interactivePaceMs ?? 20;
  let lastRoundAt = Number.NEGATIVE_INFINITY;
  const round = async (): Promise<number> => {
    if (options.interactive?.()) {
      const wait = lastRoundAt + paceMs - performance.now();
      if (wait > 0) await new Promise<void>((resolve) => setTimeout(resolve, wait));
    }
    lastRoundAt = performance.now();
    const claimed = await repos.jobs.claim(workerId, claimLimit, clock.now(), leaseMs);
    if (claimed.length === 0) return 0;
    const byType = new Map<string, typeof claimed>();
    for (const job of claimed) pushTo(byType, job.type, job);
    for (const [type, jobs] of byType) {
      // Group jobs into transactions of at most `limit` messages (a single larger job is cut in runJobs).
      const limit = batchLimit(type);
      const groups: (typeof claimed)[] = [];
      let current: typeof claimed = [];
      let size = 0;
      for (const job of jobs) {
        const n = messageCount(job.payload);
        if (current.length > 0 && size + n > limit) {
          groups.push(current);
          current = [];
          size = 0;
        }
        current.push(job);
        size += n;
      }
      if (current.length > 0) groups.push(current);
      for (const group of groups) {
        try {
          await runJobs(type as JobType, group, limit).catch(async (error: unknown) => {
            // A later stage failed inside the chained transaction: the stages run one transaction each instead.
            if (!(error instanceof ChainedStageFailure)) throw error;
            await runJobs(type as JobType, group, limit, false);
          });
        } catch (error) {
          if (group.length === 1) {
            await fail(group[0]!, error);
            continue;
          }
          // One bad job must not hold back the others: retry them one by one to find it.
          for (const job of group) {
            try {
              await runJobs(type as JobType, [job], Number.POSITIVE_INFINITY, false);
            } catch (single) {
              await fail(job, single);
            }
          }
        }
        // Let HTTP requests in between transactions, and the acknowledgements they wait for go first.
        await new Promise<void>((resolve) => setImmediate(resolve));
        await options.yieldTo?.();
      }
    }
    return claimed.length;
  };

  const loop = createPollingLoop(round, { idleDelayMs, onError: (error) => logger.error({ err: error }, 'worker round failed') });
  const api: Worker = loop;
  return api;
};
