import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ParleyApp } from '../src/server/app.js';
import { createBenchApp, waitUntil } from './support/bench-app.js';
import { generateEnvelopes, percentile } from './support/envelopes.js';
import type { BenchContext, BenchModule } from './types.js';

const decidedCount = async (app: ParleyApp): Promise<number> => (await app.repos.messages.countByStage()).decided ?? 0;

const PIPELINE_JOBS = ['pipeline.understand', 'pipeline.correlate', 'pipeline.decide'];

/**
 * Done when no pipeline job is waiting or running: one row of the `jobs_ready` index (status, run_at) tells, so
 * polling every 20 ms costs the store almost nothing. Counting the pipeline's jobs instead read every row of the
 * table, the deleted ones not yet vacuumed too: on PostgreSQL about 1.5 ms of server time per poll, taken from the
 * pipeline it measures (counting messages by stage would scan the whole messages table). A dead-lettered job leaves
 * its messages undecided, which the check after the wait reports.
 */
const waitForPipeline = async (app: ParleyApp, count: number, timeoutMs: number): Promise<void> => {
  await waitUntil(async () => {
    const row = await app.store.db.selectFrom('jobs').select('id').where('status', 'in', ['pending', 'running']).where('type', 'in', PIPELINE_JOBS).limit(1).executeTakeFirst();
    return row === undefined;
  }, timeoutMs, 20);
  const decided = await decidedCount(app);
  if (decided < count) throw new Error(`pipeline drained with ${decided} of ${count} messages decided`);
};

/** Envelopes/s from the first ingest call until every message is routed, the worker running beside ingest as `parley start` runs it (one thread). */
export const measureThroughput = async (ctx: BenchContext, postgresUrl: string | null, count: number): Promise<number> => {
  // A data folder of its own: each run starts from an empty store.
  const { app, channelId, dispose } = await createBenchApp(mkdtempSync(path.join(ctx.tmpDir, 'throughput-')), postgresUrl);
  try {
    // Live traffic: created over the last minute, as a stream arriving at this rate would be (a 20-minute-old
    // backlog would also fire every SLA warning during the run, which is the scheduler's work, not the pipeline's).
    const envelopes = generateEnvelopes(channelId, count, { spanMs: 60_000 });
    await app.start(['worker']);
    const started = performance.now();
    for (let i = 0; i < envelopes.length; i += 1000) await app.services.ingest(envelopes.slice(i, i + 1000));
    await waitForPipeline(app, count, 600_000);
    const seconds = (performance.now() - started) / 1000;
    return Math.round(count / seconds);
  } finally {
    await dispose();
  }
};

/**
 * Real HTTP at a fixed 1,000 envelopes/s (one per request), as `parley start` runs the embedded store by default:
 * web and worker in one process and one thread, the single SQLite writer. The sender runs in a worker thread.
 */
export const measureAckLatency = async (ctx: BenchContext, seconds: number): Promise<{ ackP50: number; ackP99: number; visibleP99: number }> => {
  const dataDir = `${ctx.tmpDir}/ack`;
  const { app, channelId, dispose } = await createBenchApp(dataDir, null);
  try {
    const admin = (await app.repos.users.list()).find((u) => u.role === 'agent')!;
    await app.repos.users.update(admin.id, { role: 'admin' }, Date.now());
    const token = (await app.services.auth.createToken(admin.id, 'bench', { userId: admin.id, role: 'admin', requestId: 'bench' })).token;
    await app.start(['web', 'worker']);
    const address = app.http.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    // Created as they are sent: the sender paces them at 1,000/s from now on. The first second warms the server
    // (JIT, caches, first classifier calls) and is left out of the figures: a running server is warm.
    const warmup = 1000;
    const envelopes = generateEnvelopes(channelId, warmup + seconds * 1000, { seed: 7, start: Date.now(), spanMs: 1000 + seconds * 1000 });
    // The sender runs in a worker thread: the server keeps its event loop to itself, as with a real client.
    const result = await new Promise<{ latencies: number[]; failures: number[] }>((resolve, reject) => {
      const sender = new Worker(new URL('./support/load-generator.mjs', import.meta.url), {
        workerData: { port, token, bodies: envelopes.map((e) => JSON.stringify({ envelopes: [e] })), ratePerSecond: 1000 },
      });
      sender.once('message', resolve);
      sender.once('error', reject);
    });
    if (result.failures.length > 0) throw new Error(`${result.failures.length} ingest calls failed (statuses ${[...new Set(result.failures)].join(', ')})`);
    const latencies = result.latencies.slice(warmup);
    if (latencies.length !== seconds * 1000 || latencies.some((l) => typeof l !== 'number')) throw new Error('the sender lost track of some requests');
    // Waits the way the throughput run does (the job table, not a scan of every message every 50 ms, which would
    // take the writer's time from the pipeline that is still deciding the last messages sent).
    await waitForPipeline(app, envelopes.length, 120_000);
    const measured = new Set(envelopes.slice(warmup).map((e) => e.externalId));
    const rows = await app.store.db.selectFrom('messages').select(['external_id', 'received_at', 'decided_at']).execute();
    const visible = rows.filter((r) => r.decided_at !== null && measured.has(r.external_id)).map((r) => Number(r.decided_at) - Number(r.received_at));
    if (visible.length !== seconds * 1000) throw new Error(`${visible.length} of ${seconds * 1000} measured messages were decided`);
    return { ackP50: Math.round(percentile(latencies, 50) * 100) / 100, ackP99: Math.round(percentile(latencies, 99) * 100) / 100, visibleP99: Math.round(percentile(visible, 99)) };
  } finally {
    await dispose();
  }
};

/** Runs per store: one run lasts two to four seconds, and this machine's speed moves by a third from hour to hour. */
const THROUGHPUT_RUNS = 3;

/**
 * The median of THROUGHPUT_RUNS runs, each on a fresh store, every run's figure logged. A single run of a few seconds
 * is at the mercy of one slow moment of a shared 2-core machine, and its figure moved by up to a fifth between runs
 * minutes apart; the median is the run in the middle, not the best.
 *
 * One run of the same size goes first and is not counted (its figure is logged as the warm-up): the figure is a
 * running server's, as the acknowledgement latency's is (its first second is left out). Run alone (`--only`), the
 * first run in the process also compiles the pipeline's code and the statements' first plans, and was then usually
 * the slowest of its series, by up to a fifth; in a full run the modules before this one have warmed that code.
 */
const medianThroughput = async (ctx: BenchContext, store: string, postgresUrl: string | null, count: number): Promise<number> => {
  ctx.log(`${store} end-to-end throughput (${count.toLocaleString('en')} envelopes, median of ${THROUGHPUT_RUNS} runs after a warm-up run)…`);
  const warmup = await measureThroughput(ctx, postgresUrl, count);
  const runs: number[] = [];
  for (let i = 0; i < THROUGHPUT_RUNS; i += 1) runs.push(await measureThroughput(ctx, postgresUrl, count));
  ctx.log(`warm-up: ${warmup} envelopes/s (not counted); runs: ${runs.join(', ')} envelopes/s`);
  return percentile(runs, 50);
};

export const bench: BenchModule = {
  name: 'pipeline',
  keys: ['pipeline_sqlite_msgs_per_s', 'pipeline_postgres_msgs_per_s', 'ingest_ack_p50_ms', 'ingest_ack_p99_ms', 'queue_visible_p99_ms', 'peak_rss_mb'],
  async run(ctx) {
    const sqlite = await medianThroughput(ctx, 'SQLite', null, 20_000);
    ctx.log(`SQLite: ${sqlite}/s`);
    let postgres: number | null = null;
    if (ctx.postgresUrl) {
      postgres = await medianThroughput(ctx, 'PostgreSQL', ctx.postgresUrl, 20_000).catch((e: unknown) => {
        ctx.log(`PostgreSQL unavailable: ${String(e)}`);
        return null;
      });
    }
    ctx.log('HTTP ingest at 1,000/s for 10 s…');
    const ack = await measureAckLatency(ctx, 10);
    return {
      pipeline_sqlite_msgs_per_s: sqlite,
      pipeline_postgres_msgs_per_s: postgres,
      ingest_ack_p50_ms: ack.ackP50,
      ingest_ack_p99_ms: ack.ackP99,
      queue_visible_p99_ms: ack.visibleP99,
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  },
};
