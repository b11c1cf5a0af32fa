import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { measureAckLatency, measureThroughput } from './pipeline.bench.js';
import { mainThreadCpuMs, postgresCpuMs, recordGc, summariseCpuProfile, timePostgresStatements, timeSqliteStatements, type CpuProfile, type StatementTimes } from './support/profiling.js';
import type { BenchContext } from './types.js';

const usage = `Usage: npm run profile -- <pipeline|ack> [--postgres URL] [--runs N] [--statements] [--cpu FILE]

Runs one of the pipeline benchmark's workloads and reports where its time went, run by run:
  pipeline          20,000 envelopes ingested 1,000 at a time until all are routed (pipeline_*_msgs_per_s)
  ack               HTTP ingest at 1,000/s for 10 s, web and worker on one thread (ingest_ack_*, queue_visible_p99_ms)
  --postgres URL    the pipeline workload on PostgreSQL instead of SQLite (a fresh schema per run)
  --runs N          runs in a row (default 3); the first also compiles the code, so compare the later ones
  --statements      time every SQL statement of the last run (SQLite in-thread; PostgreSQL by round trip)
  --cpu FILE        take a V8 CPU profile of the last run (0.5 ms sampling), write it to FILE and list the top functions
                    (with --statements too, the statement timer's own frames show in it)
Each run prints its figure, the main thread's CPU, garbage collection by kind and, on PostgreSQL, the server's CPU.`;

interface ProfileArgs {
  workload: 'pipeline' | 'ack';
  postgresUrl: string | null;
  runs: number;
  statements: boolean;
  cpuFile: string | null;
}

export const parseProfileArgs = (argv: readonly string[]): ProfileArgs => {
  const [workload, ...rest] = argv;
  if (workload !== 'pipeline' && workload !== 'ack') throw new Error(`name a workload: pipeline or ack\n${usage}`);
  const args: ProfileArgs = { workload, postgresUrl: null, runs: 3, statements: false, cpuFile: null };
  for (let i = 0; i < rest.length; i += 1) {
    const a = rest[i];
    const value = (): string => {
      const v = rest[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${usage}`);
      return v;
    };
    if (a === '--postgres') args.postgresUrl = value();
    else if (a === '--runs') {
      args.runs = Number(value());
      if (!Number.isInteger(args.runs) || args.runs < 1) throw new Error('--runs takes a whole number of at least 1');
    } else if (a === '--statements') args.statements = true;
    else if (a === '--cpu') args.cpuFile = value();
    else throw new Error(`unknown argument ${a}\n${usage}`);
  }
  if (args.workload === 'ack' && args.postgresUrl) throw new Error('the ack workload runs on the embedded store only, as its benchmark does');
  return args;
};

const main = async (): Promise<void> => {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(usage);
    return;
  }
  let args: ProfileArgs;
  try {
    args = parseProfileArgs(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
  const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'parley-profile-'));
  const ctx: BenchContext = { tmpDir, postgresUrl: args.postgresUrl, sharedDataDir: null, log: (m) => console.error(`[profile] ${m}`) };
  const gc = recordGc();
  const session = new Session();
  session.connect();
  try {
    for (let run = 1; run <= args.runs; run += 1) {
      const last = run === args.runs;
      const timer: StatementTimes | null = last && args.statements ? (args.postgresUrl ? timePostgresStatements() : timeSqliteStatements()) : null;
      if (last && args.cpuFile) {
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 500 });
        await session.post('Profiler.start');
      }
      gc.take();
      const cpu0 = mainThreadCpuMs();
      const server0 = args.postgresUrl ? postgresCpuMs() : null;
      const wall0 = performance.now();
      const figure =
        args.workload === 'pipeline'
          ? `${await measureThroughput(ctx, args.postgresUrl, 20_000)} envelopes/s`
          : JSON.stringify(await measureAckLatency({ ...ctx, tmpDir: mkdtempSync(path.join(tmpDir, 'ack-')) }, 10));
      const wallMs = Math.round(performance.now() - wall0);
      const cpu1 = mainThreadCpuMs();
      const server1 = args.postgresUrl ? postgresCpuMs() : null;
      const parts = [`run ${run}: ${figure}`, `wall ${wallMs} ms (with the store's set-up)`];
      if (cpu0 !== null && cpu1 !== null) parts.push(`main thread CPU ${cpu1 - cpu0} ms`);
      if (server0 !== null && server1 !== null) parts.push(`PostgreSQL CPU ${server1 - server0} ms`);
      parts.push(`GC ${JSON.stringify(gc.take())}`);
      console.log(parts.join('; '));
      if (timer) {
        timer.stop();
        console.log('\nstatements (ms in total, calls, slowest ms):');
        for (const t of timer.top(30)) console.log(`${t.ms.toFixed(1).padStart(9)} ${String(t.calls).padStart(7)} ${t.maxMs.toFixed(1).padStart(7)}  ${t.statement.slice(0, 160)}`);
      }
      if (last && args.cpuFile) {
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(args.cpuFile, JSON.stringify(profile));
        const functions = summariseCpuProfile(profile as unknown as CpuProfile);
        console.log(`\nCPU profile written to ${args.cpuFile}; by self time (self ms, total ms):`);
        for (const f of [...functions].sort((a, b) => b.selfMs - a.selfMs).slice(0, 30)) console.log(`${f.selfMs.toFixed(1).padStart(9)} ${f.totalMs.toFixed(1).padStart(9)}  ${f.name}`);
        console.log('\nby total time (self ms, total ms):');
        for (const f of [...functions].sort((a, b) => b.totalMs - a.totalMs).slice(0, 40)) console.log(`${f.selfMs.toFixed(1).padStart(9)} ${f.totalMs.toFixed(1).padStart(9)}  ${f.name}`);
      }
    }
  } finally {
    gc.stop();
    session.disconnect();
    rmSync(tmpDir, { recursive: true, force: true });
  }
};

// Run as a script (npm run profile), not when a test imports parseProfileArgs.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
