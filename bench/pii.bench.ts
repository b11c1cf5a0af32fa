import { detectPii } from '../src/shared/pii/index.js';
import type { PiiFinding, PiiOptions } from '../src/shared/pii/index.js';
import { BENCH_BRAND_CONTACTS, generateReplies } from './fixtures/pii/generate-replies.js';
import type { GeneratedReply } from './fixtures/pii/generate-replies.js';
import { HARD_CASES } from './fixtures/pii/hard-cases.js';
import { parseMarkup } from './fixtures/pii/markup.js';
import type { BenchModule } from './types.js';

const RECALL_TYPES = new Set(['card', 'email', 'phone']);
/** The workspace the benchmark pretends to be: US default, UK and French customers, its own contacts allowed. */
export const PII_BENCH_OPTIONS: PiiOptions = { defaultRegion: 'US', nationalRegions: ['GB', 'FR'], allowPatterns: BENCH_BRAND_CONTACTS };

/** The labelled set: 4 × 300 replies with PII, 900 clean ones, plus the hand-written hard cases. */
export function loadPiiBenchSet(): GeneratedReply[] {
  const hard = HARD_CASES.map((marked) => {
    const r = parseMarkup(marked);
    return { ...r, clean: r.findings.length === 0 };
  });
  return [...generateReplies(20261123, 300, 900), ...hard];
}

export interface PiiScore {
  recall: number;
  falsePositiveRate: number;
  misses: { text: string; type: string }[];
  falseAlarms: { text: string; found: PiiFinding[] }[];
}

/** Recall over labelled card/email/phone spans (exact offsets and type) and the share of clean replies flagged. */
export function scorePii(set: readonly GeneratedReply[], opts: PiiOptions = PII_BENCH_OPTIONS): PiiScore {
  let expected = 0;
  let hit = 0;
  let clean = 0;
  const misses: PiiScore['misses'] = [];
  const falseAlarms: PiiScore['falseAlarms'] = [];
  for (const r of set) {
    const found = detectPii(r.text, opts);
    if (r.clean) {
      clean++;
      if (found.length > 0) falseAlarms.push({ text: r.text, found });
      continue;
    }
    for (const want of r.findings) {
      if (!RECALL_TYPES.has(want.type)) continue;
      expected++;
      if (found.some((f) => f.type === want.type && f.start === want.start && f.end === want.end)) hit++;
      else misses.push({ text: r.text, type: want.type });
    }
  }
  return {
    recall: expected === 0 ? 0 : hit / expected,
    falsePositiveRate: clean === 0 ? 0 : falseAlarms.length / clean,
    misses,
    falseAlarms,
  };
}

/**
 * Texts per second of one core over the whole mixed set, repeated for at least `minMs`. The guard is synchronous and
 * single-threaded, so the denominator is this process's CPU time: on a shared, loaded machine wall time mostly
 * measures the other processes (the wall-clock figure is logged beside it).
 */
export function measureThroughput(set: readonly GeneratedReply[], minMs = 1500): { perCpuSecond: number; perWallSecond: number } {
  for (const r of set) detectPii(r.text, PII_BENCH_OPTIONS);
  let n = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (const r of set) detectPii(r.text, PII_BENCH_OPTIONS);
    n += set.length;
    elapsed = performance.now() - t0;
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { perCpuSecond: n / Math.max(cpuSeconds, 1e-6), perWallSecond: n / (elapsed / 1000) };
}

export const bench: BenchModule = {
  name: 'pii',
  keys: ['pii_recall', 'pii_false_positive_rate', 'pii_texts_per_s'],
  async run(ctx) {
    const set = loadPiiBenchSet();
    const score = scorePii(set);
    ctx.log(`pii: ${set.length} texts, ${score.misses.length} misses, ${score.falseAlarms.length} clean replies flagged`);
    const throughput = measureThroughput(set);
    ctx.log(`pii: ${Math.round(throughput.perCpuSecond)} texts per CPU second, ${Math.round(throughput.perWallSecond)} per wall second`);
    return {
      pii_recall: Number(score.recall.toFixed(4)),
      pii_false_positive_rate: Number(score.falsePositiveRate.toFixed(4)),
      pii_texts_per_s: Math.round(throughput.perCpuSecond),
    };
  },
};
