import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchContext, BenchModule } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

const usage = `Usage: parley bench [--json] [--only KEY[,KEY…]] [--list]

Runs every benchmark module in bench/*.bench.ts and reports named figures.
  --json        print one JSON object of all figures on stdout (progress goes to stderr)
  --only KEY    run only the modules that report KEY (comma-separate several), and print only those keys
  --list        list the modules and their keys`;

export interface BenchArgs {
  json: boolean;
  only: string[] | null;
  list: boolean;
}

export const parseBenchArgs = (argv: readonly string[]): BenchArgs => {
  const args: BenchArgs = { json: false, only: null, list: false };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--list') args.list = true;
    else if (a === '--only') {
      const v = argv[++i];
      if (!v) throw new Error('--only needs a key');
      args.only = v.split(',').map((s) => s.trim()).filter(Boolean);
    } else if (a === '--help' || a === '-h') {
      console.log(usage);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}\n${usage}`);
  }
  return args;
};

export const loadBenchModules = async (): Promise<BenchModule[]> => {
  const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort();
  const modules: BenchModule[] = [];
  for (const file of files) {
    const mod = (await import(path.join(here, file))) as { bench?: BenchModule };
    if (mod.bench) modules.push(mod.bench);
  }
  return modules;
};

/** `npm run bench -- --json`: one JSON object of named figures. */
export const runBench = async (argv: readonly string[]): Promise<void> => {
  const args = parseBenchArgs(argv);
  const modules = await loadBenchModules();
  if (args.list) {
    for (const m of modules) console.log(`${m.name}: ${m.keys.join(', ')}`);
    return;
  }
  if (args.only) {
    const known = new Set(modules.flatMap((m) => m.keys));
    const unknown = args.only.filter((k) => !known.has(k));
    if (unknown.length) throw new Error(`no benchmark reports ${unknown.join(', ')}; --list shows the keys`);
  }
  const selected = args.only ? modules.filter((m) => m.keys.some((k) => args.only?.includes(k))) : modules;
  const sharedDataDir = [path.resolve(here, '../../shared/data'), path.resolve(process.cwd(), '../shared/data')].find((p) => existsSync(p)) ?? null;
  const results: Record<string, number | null> = {};
  for (const m of selected) {
    const tmpDir = mkdtempSync(path.join(os.tmpdir(), `parley-bench-${m.name}-`));
    const ctx: BenchContext = {
      sharedDataDir,
      postgresUrl: process.env.PARLEY_BENCH_DATABASE_URL ?? process.env.PARLEY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
      tmpDir,
      log: (message) => process.stderr.write(`[bench ${m.name}] ${message}\n`),
    };
    const started = performance.now();
    try {
      const figures = await m.run(ctx);
      for (const [k, v] of Object.entries(figures)) if (!args.only || args.only.includes(k)) results[k] = v;
      ctx.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } catch (error) {
      ctx.log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      for (const k of m.keys) if (!args.only || args.only.includes(k)) results[k] = null;
    } finally {
      rmSync(tmpDir, { recursive: true, force: true });
    }
  }
  if (args.json) process.stdout.write(`${JSON.stringify(results)}\n`);
  else for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(40)} ${v === null ? 'n/a' : v}`);
};
