import { DEFAULT_WORKLOAD_MODEL, type WorkloadModel } from './model.js';
import { simulateFifo } from './fifo-policy.js';
import { simulateParley, type IncidentTimeline } from './parley-policy.js';
import { createRandom } from './random.js';
import { initialOutcomes, type SimOutcome } from './sim-common.js';
import { generateDay } from './traffic.js';

export interface PolicyFigures {
  /** Service posts (incident members included) first answered within 15 minutes, %. */
  firstResponse15minPct: number;
  /** The same for non-incident service posts only, which the burst average would otherwise hide. */
  ordinaryFirstResponse15minPct: number;
  /** Non-incident service posts whose full answer came within their first-response SLA, %: a holding reply does not count here. */
  withinSlaPct: number;
  /** Non-incident service posts whose first response (a holding reply included, as the product's SLA clock counts it) came within their first-response SLA, %. */
  firstResponseWithinSlaPct: number;
  /** Service posts given their full answer by the end of the day plus the grace period, %: a holding reply does not count here. */
  answeredPct: number;
  /** Percentiles and maximum of first-response minutes over service posts (-1: some were never answered). */
  p50FirstResponseMin: number;
  p90FirstResponseMin: number;
  p95FirstResponseMin: number;
  maxFirstResponseMin: number;
}

export interface WorkloadReport {
  posts: number;
  servicePosts: number;
  marketingOrNoReply: number;
  /** Minutes after midnight at which the outage incident was detected, confirmed and answered. */
  incident: IncidentTimeline;
  /** Parley's misses of the 15-minute first response, split by incident member and ordinary post. */
  parleyLateBurst: number;
  parleyLateOrdinary: number;
  /** Of those ordinary ones, how many took the agent over 15 minutes to write: late under any policy, with any number of agents. */
  parleyLateOverlongReply: number;
  /** Posts Parley's agents sent a holding reply to before their full answer (the composer's nudge). */
  parleyHoldingReplies: number;
  /** Of those, how many an agent sent from the inbox row, breaking off another answer (no agent was free in time). */
  parleyRowHoldingReplies: number;
  parley: PolicyFigures;
  fifo: PolicyFigures;
}

// Rounded down: 100 only when every post made it (a few late posts in thousands must not round up to 100).
const pct = (n: number, d: number): number => (d === 0 ? 100 : Math.floor((n / d) * 10_000) / 100);

export function policyFigures(outcomes: readonly SimOutcome[]): PolicyFigures {
  const service = outcomes.filter((o) => o.service);
  const waits = service.map((o) => (o.firstResponseAt === null ? Number.POSITIVE_INFINITY : o.firstResponseAt - o.post.at)).sort((a, b) => a - b);
  const ordinary = service.filter((o) => !o.post.burst);
  const quantile = (q: number): number => {
    const w = waits[Math.min(waits.length - 1, Math.floor(waits.length * q))] ?? 0;
    return Number.isFinite(w) ? Math.round(w * 10) / 10 : -1;
  };
  return {
    firstResponse15minPct: pct(waits.filter((w) => w <= 15).length, service.length),
    ordinaryFirstResponse15minPct: pct(ordinary.filter((o) => o.firstResponseAt !== null && o.firstResponseAt - o.post.at <= 15).length, ordinary.length),
    withinSlaPct: pct(ordinary.filter((o) => o.answeredAt !== null && o.answeredAt <= o.dueAt).length, ordinary.length),
    firstResponseWithinSlaPct: pct(ordinary.filter((o) => o.firstResponseAt !== null && o.firstResponseAt <= o.dueAt).length, ordinary.length),
    answeredPct: pct(service.filter((o) => o.answeredAt !== null).length, service.length),
    p50FirstResponseMin: quantile(0.5),
    p90FirstResponseMin: quantile(0.9),
    p95FirstResponseMin: quantile(0.95),
    maxFirstResponseMin: waits.length === 0 ? 0 : quantile(1),
  };
}

/** Replays one generated day under Parley's decide policy and under FIFO; same posts, same agents, same seed. */
export function runWorkload(model: WorkloadModel = DEFAULT_WORKLOAD_MODEL, seed = 1): WorkloadReport {
  const posts = generateDay(model, createRandom(seed));
  const parley = initialOutcomes(posts);
  const incident = simulateParley(parley, model, createRandom(seed + 1));
  const late = parley.filter((o) => o.service && (o.firstResponseAt === null || o.firstResponseAt - o.post.at > 15));
  const fifo = initialOutcomes(posts);
  simulateFifo(fifo, model, createRandom(seed + 2));
  const servicePosts = parley.filter((o) => o.service).length;
  return {
    posts: posts.length,
    servicePosts,
    marketingOrNoReply: posts.length - servicePosts,
    incident,
    parleyLateBurst: late.filter((o) => o.post.burst).length,
    parleyLateOrdinary: late.filter((o) => !o.post.burst).length,
    parleyLateOverlongReply: late.filter((o) => !o.post.burst && (o.replyMinutes ?? 0) > 15).length,
    parleyHoldingReplies: parley.filter((o) => o.holdingReply).length,
    parleyRowHoldingReplies: parley.filter((o) => o.rowHoldingReply).length,
    parley: policyFigures(parley), fifo: policyFigures(fifo) };
}
