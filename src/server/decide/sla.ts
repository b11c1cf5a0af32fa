import { z } from 'zod';
import type { PriorityBand } from './priority.js';
import { openSpans, type BusinessCalendar, type Span } from './sla-calendar.js';

export type SlaMetric = 'first_response' | 'next_response' | 'resolution';
export type SlaStateName = 'ok' | 'warning' | 'breached' | 'paused' | 'met';

const minutes = z.number().positive().max(60 * 24 * 365);
const targetsSchema = z.object({
  firstResponseMinutes: minutes,
  nextResponseMinutes: minutes,
  resolutionMinutes: minutes,
});
export type SlaTargets = z.infer<typeof targetsSchema>;

/** An SLA policy: default targets, refined by channel, priority band and customer tier. */
export const slaPolicySchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  /** Clocks run only during the calendar's business hours (else around the clock). */
  businessHours: z.boolean(),
  /** Share of the target after which a running clock is in `warning`. */
  warnAtRatio: z.number().gt(0).lt(1).default(0.8),
  defaults: targetsSchema,
  overrides: z
    .array(
      z.object({
        channel: z.string().min(1).optional(),
        band: z.enum(['low', 'normal', 'high', 'urgent']).optional(),
        tier: z.string().min(1).optional(),
        targets: targetsSchema.partial(),
      }),
    )
    .default([]),
});
export type SlaPolicy = z.output<typeof slaPolicySchema>;

export interface SlaKey {
  channel: string;
  band: PriorityBand;
  tier: string;
}

/** One clock's target, resolved from a policy. */
export interface SlaTarget {
  minutes: number;
  businessHours: boolean;
}

/** A pause of the clock (waiting on the customer); `to: null` means still paused. */
export interface PauseInterval {
  from: Date;
  to: Date | null;
}

/** Targets for a conversation: matching overrides apply from least to most specific, so the most specific wins. */
export function resolveSlaTargets(policy: SlaPolicy, key: SlaKey): SlaTargets {
  const matching = policy.overrides
    .map((o, index) => ({ o, index, specificity: Number(!!o.channel) + Number(!!o.band) + Number(!!o.tier) }))
    .filter(({ o }) => (!o.channel || o.channel === key.channel) && (!o.band || o.band === key.band) && (!o.tier || o.tier === key.tier))
    .sort((a, b) => a.specificity - b.specificity || a.index - b.index);
  const targets = { ...policy.defaults };
  for (const { o } of matching) Object.assign(targets, o.targets);
  return targets;
}

/** Resolved targets per policy object and key: a batch starts thousands of clocks over a handful of keys. */
const resolved = new WeakMap<SlaPolicy, Map<string, SlaTargets>>();

/** The target of one metric for a conversation of this key. */
export function slaTarget(policy: SlaPolicy, metric: SlaMetric, key: SlaKey): SlaTarget {
  let byKey = resolved.get(policy);
  if (!byKey) resolved.set(policy, (byKey = new Map()));
  const cacheKey = `${key.channel}\u0000${key.band}\u0000${key.tier}`;
  let t = byKey.get(cacheKey);
  if (!t) byKey.set(cacheKey, (t = resolveSlaTargets(policy, key)));
  const m = metric === 'first_response' ? t.firstResponseMinutes : metric === 'next_response' ? t.nextResponseMinutes : t.resolutionMinutes;
  return { minutes: m, businessHours: policy.businessHours };
}

function* counting(target: SlaTarget, calendar: BusinessCalendar, from: number): Generator<Span> {
  if (target.businessHours) yield* openSpans(calendar, from);
  else yield { start: from, end: Number.POSITIVE_INFINITY };
}

/** Sorted, merged pauses; an open pause runs to infinity. */
function normalisePauses(paused: readonly PauseInterval[]): Span[] {
  const spans = paused
    .map((p) => ({ start: p.from.getTime(), end: p.to ? p.to.getTime() : Number.POSITIVE_INFINITY }))
    .filter((s) => s.end > s.start)
    .sort((a, b) => a.start - b.start);
  const merged: Span[] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else merged.push({ ...s });
  }
  return merged;
}

/** Spans where the clock runs: counting spans minus pauses. Infinite spans end the walk. */
function* running(target: SlaTarget, calendar: BusinessCalendar, from: number, paused: readonly PauseInterval[]): Generator<Span> {
  const pauses = normalisePauses(paused);
  let pi = 0;
  for (const span of counting(target, calendar, from)) {
    let cursor = span.start;
    while (cursor < span.end) {
      while (pi < pauses.length && (pauses[pi] as Span).end <= cursor) pi++;
      const pause = pauses[pi];
      if (!pause || pause.start >= span.end) {
        yield { start: cursor, end: span.end };
        break;
      }
      if (pause.start > cursor) yield { start: cursor, end: pause.start };
      if (pause.end === Number.POSITIVE_INFINITY) return;
      cursor = pause.end;
    }
  }
}

/**
 * When the clock started at `startAt` reaches its target, skipping closed hours and pauses.
 * Null while an open pause stops the clock before the target is reached.
 */
export function computeDue(target: SlaTarget, calendar: BusinessCalendar, startAt: Date, pausedIntervals: readonly PauseInterval[] = []): Date | null {
  let remaining = target.minutes * 60_000;
  // Around the clock and never paused (most clocks): the walk below would give the start plus the target.
  if (!target.businessHours && pausedIntervals.length === 0) return new Date(startAt.getTime() + remaining);
  for (const span of running(target, calendar, startAt.getTime(), pausedIntervals)) {
    const length = span.end - span.start;
    if (length >= remaining) return new Date(span.start + remaining);
    remaining -= length;
  }
  return null;
}

/** Running-clock milliseconds between two instants (business hours if the target says so, minus pauses). */
export function elapsedClockMs(target: SlaTarget, calendar: BusinessCalendar, from: Date, to: Date, pausedIntervals: readonly PauseInterval[] = []): number {
  const end = to.getTime();
  let total = 0;
  if (end <= from.getTime()) return 0;
  if (!target.businessHours && pausedIntervals.length === 0) return end - from.getTime();
  for (const span of running(target, calendar, from.getTime(), pausedIntervals)) {
    if (span.start >= end) break;
    total += Math.min(span.end, end) - span.start;
  }
  return total;
}

export interface SlaClockInput {
  target: SlaTarget;
  calendar: BusinessCalendar;
  startAt: Date;
  now: Date;
  pausedIntervals?: readonly PauseInterval[];
  /** When the clock's goal was reached (the response was sent, the case resolved), if it was. */
  metAt?: Date | null;
  /** Defaults to 0.8: warn once 80% of the target has run. */
  warnAtRatio?: number;
}

export interface SlaClock {
  state: SlaStateName;
  dueAt: Date | null;
  elapsedMs: number;
  /** Running-clock ms left before breach; negative once breached. */
  remainingMs: number;
}

export function slaClock(input: SlaClockInput): SlaClock {
  const paused = input.pausedIntervals ?? [];
  const targetMs = input.target.minutes * 60_000;
  const dueAt = computeDue(input.target, input.calendar, input.startAt, paused);
  const until = input.metAt ?? input.now;
  const elapsedMs = elapsedClockMs(input.target, input.calendar, input.startAt, until, paused);
  const remainingMs = targetMs - elapsedMs;
  const now = input.now.getTime();
  let state: SlaStateName;
  if (input.metAt) state = remainingMs >= 0 ? 'met' : 'breached';
  else if (remainingMs <= 0) state = 'breached';
  else if (paused.some((p) => p.from.getTime() <= now && (p.to === null || p.to.getTime() > now))) state = 'paused';
  else state = elapsedMs >= targetMs * (input.warnAtRatio ?? 0.8) ? 'warning' : 'ok';
  return { state, dueAt, elapsedMs, remainingMs };
}

export function slaState(input: SlaClockInput): SlaStateName {
  return slaClock(input).state;
}

export interface SlaOutcome {
  dueAt: Date | null;
  metAt: Date | null;
}

export interface SlaAttainment {
  met: number;
  breached: number;
  /** Still running (or paused) and not yet due: not counted either way. */
  pending: number;
  /** met / (met + breached) × 100, or null when nothing is decided yet. */
  pct: number | null;
}

export function slaAttainment(outcomes: readonly SlaOutcome[], now: Date): SlaAttainment {
  let met = 0;
  let breached = 0;
  let pending = 0;
  for (const o of outcomes) {
    if (o.metAt) {
      if (o.dueAt === null || o.metAt.getTime() <= o.dueAt.getTime()) met++;
      else breached++;
    } else if (o.dueAt !== null && o.dueAt.getTime() < now.getTime()) breached++;
    else pending++;
  }
  const decided = met + breached;
  return { met, breached, pending, pct: decided === 0 ? null : (met / decided) * 100 };
}
