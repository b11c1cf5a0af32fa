import type { Clock } from '../platform/clock.js';
import type { Repositories } from '../repositories/index.js';
import { pushTo } from '../../shared/collections.js';

export interface EquityOptions {
  from: number;
  to: number;
  /** Each group compared needs at least this many answered conversations. */
  minSamples: number;
  /** Median time-to-first-response ratio (slower / faster) that counts as measurably better service. */
  ratio: number;
}

export interface EquityGroup {
  key: string;
  conversations: number;
  answered: number;
  responseRatePct: number | null;
  ttfrMedianMin: number | null;
  ttfrP90Min: number | null;
  resolved: number;
  resolutionMedianMin: number | null;
}

export interface EquityWarning {
  dimension: string;
  favoured: string;
  compared: string;
  ratio: number;
  pValue: number;
  message: string;
}

const MAX_SAMPLES = 200_000;
const round1 = (n: number): number => Math.round(n * 10) / 10;

const quantile = (sorted: readonly number[], q: number): number | null => {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
};

/** Complementary error function (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
const erfc = (x: number): number => {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
  return x >= 0 ? y : 2 - y;
};

/** Two-sided p-value of the Mann-Whitney U test (normal approximation, midranks for ties): are the two samples shifted? */
export const mannWhitneyP = (a: readonly number[], b: readonly number[]): number => {
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  let rankA = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && (all[j + 1] as { v: number }).v === (all[i] as { v: number }).v) j++;
    const mid = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if ((all[k] as { g: number }).g === 0) rankA += mid;
    i = j + 1;
  }
  const n1 = a.length;
  const n2 = b.length;
  const u = rankA - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const sd = Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12);
  if (sd === 0) return 1;
  const z = (Math.abs(u - mean) - 0.5) / sd;
  return Math.min(1, erfc(Math.max(0, z) / Math.SQRT2));
};

export const followerBucket = (followers: number | null): string =>
  followers === null ? 'unknown' : followers < 1_000 ? '<1k' : followers < 10_000 ? '1k-10k' : followers < 100_000 ? '10k-100k' : '100k+';

/**
 * Equity of service: time to first response and resolution time across public vs private channels, customer
 * tiers and follower buckets, with a warning where one tier is answered measurably faster than another.
 * Goodwill granted is not compared yet: goodwill does not exist in the store (a later issue).
 */
export const createEquityService = (deps: { repos: Repositories; clock: Clock }) => ({
  async report(options: EquityOptions) {
    const samples = await deps.repos.sla.serviceSamples(options.from, options.to, MAX_SAMPLES);
    const dimensions: Record<string, (s: (typeof samples)[number]) => string> = {
      channel: (s) => (s.visibility === 'private' ? 'private' : 'public'),
      platform: (s) => s.platform,
      tier: (s) => s.tier ?? 'unknown',
      followers: (s) => followerBucket(s.followers),
    };
    const ttfrByGroup = new Map<string, number[]>();
    const out: Record<string, EquityGroup[]> = {};
    for (const [dimension, keyOf] of Object.entries(dimensions)) {
      const groups = new Map<string, typeof samples>();
      for (const s of samples) pushTo(groups, keyOf(s), s);
      out[dimension] = [...groups].map(([key, list]) => {
        const ttfr = list.filter((s) => s.firstResponseAt !== null).map((s) => Math.max(0, ((s.firstResponseAt as number) - s.createdAt) / 60_000)).sort((x, y) => x - y);
        const resolution = list.filter((s) => s.resolvedAt !== null).map((s) => Math.max(0, ((s.resolvedAt as number) - s.createdAt) / 60_000)).sort((x, y) => x - y);
        ttfrByGroup.set(`${dimension}\u0000${key}`, ttfr);
        const med = quantile(ttfr, 0.5);
        const p90 = quantile(ttfr, 0.9);
        const res = quantile(resolution, 0.5);
        return {
          key, conversations: list.length, answered: ttfr.length, responseRatePct: list.length ? round1((ttfr.length / list.length) * 100) : null,
          ttfrMedianMin: med === null ? null : round1(med), ttfrP90Min: p90 === null ? null : round1(p90), resolved: resolution.length, resolutionMedianMin: res === null ? null : round1(res),
        };
      }).sort((a, b) => a.key.localeCompare(b.key));
    }
    // Public and private channels have different SLA targets by design, so only who-is-asking dimensions warn.
    const warnings: EquityWarning[] = [];
    for (const dimension of ['tier', 'followers']) {
      const eligible = (out[dimension] ?? []).filter((g) => g.answered >= options.minSamples && g.ttfrMedianMin !== null);
      for (const fast of eligible) {
        for (const slow of eligible) {
          if (fast === slow) continue;
          const fastMed = Math.max(fast.ttfrMedianMin as number, 0.1);
          const ratio = (slow.ttfrMedianMin as number) / fastMed;
          if (ratio < options.ratio) continue;
          const p = mannWhitneyP(ttfrByGroup.get(`${dimension}\u0000${fast.key}`) ?? [], ttfrByGroup.get(`${dimension}\u0000${slow.key}`) ?? []);
          if (p >= 0.05) continue;
          warnings.push({
            dimension, favoured: fast.key, compared: slow.key, ratio: round1(ratio), pValue: Number(p.toPrecision(3)),
            message: `${dimension} ${fast.key} gets a first response ${round1(ratio)}x faster than ${slow.key} (median ${fast.ttfrMedianMin} vs ${slow.ttfrMedianMin} min, n=${fast.answered}/${slow.answered}, p=${p.toPrecision(2)})`,
          });
        }
      }
    }
    return { from: options.from, to: options.to, conversations: samples.length, truncated: samples.length >= MAX_SAMPLES, groups: out, warnings, goodwill: null };
  },
});

export type EquityService = ReturnType<typeof createEquityService>;
