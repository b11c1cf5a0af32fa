import { ALWAYS_OPEN } from '../decide/sla-calendar.js';
import { computeDue, slaClock, slaTarget, type SlaMetric, type SlaStateName } from '../decide/sla.js';
import type { PriorityBand } from '../decide/priority.js';
import type { JobContext } from '../jobs/definitions.js';
import { newId } from '../platform/ids.js';
import type { Conversation } from '../repositories/conversations.repository.js';
import type { Repositories } from '../repositories/index.js';
import type { SlaClockRecord, SlaPolicyRecord } from '../repositories/sla.repository.js';
import { pushTo } from '../../shared/collections.js';

declare module '../jobs/definitions.js' {
  interface JobPayloads {
    'decide.sla_check': { clockIds: string[] };
  }
}

const builtin = (id: string, name: string, visibility: 'public' | 'private', minutes: Record<PriorityBand, number>): SlaPolicyRecord => ({
  id,
  name,
  position: Number.MAX_SAFE_INTEGER,
  appliesTo: { visibility },
  policy: {
    id,
    name,
    businessHours: false,
    warnAtRatio: 0.8,
    defaults: { firstResponseMinutes: minutes.normal, nextResponseMinutes: minutes.normal, resolutionMinutes: 24 * 60 },
    overrides: (['low', 'high', 'urgent'] as const).map((band) => ({ band, targets: { firstResponseMinutes: minutes[band], nextResponseMinutes: minutes[band] } })),
  },
  calendar: ALWAYS_OPEN,
  createdAt: 0,
  updatedAt: 0,
});

/** Used when no configured policy matches: public posts are answered faster than private messages, around the clock. */
export const BUILTIN_POLICIES: readonly SlaPolicyRecord[] = [
  builtin('builtin-public', 'Public default', 'public', { urgent: 15, high: 30, normal: 60, low: 240 }),
  builtin('builtin-private', 'Private default', 'private', { urgent: 60, high: 120, normal: 240, low: 480 }),
];

export interface SlaScopeKey {
  platform: string;
  visibility: string;
}

/** The first configured policy (by position) whose scope matches, else the built-in default for the visibility. */
export const selectPolicy = (policies: readonly SlaPolicyRecord[], key: SlaScopeKey): SlaPolicyRecord => {
  const match = policies.find((p) => (!p.appliesTo.channels?.length || p.appliesTo.channels.includes(key.platform)) && (!p.appliesTo.visibility || p.appliesTo.visibility === key.visibility));
  return match ?? (key.visibility === 'private' ? BUILTIN_POLICIES[1] : BUILTIN_POLICIES[0]) as SlaPolicyRecord;
};

export const policyById = (policies: readonly SlaPolicyRecord[], id: string): SlaPolicyRecord =>
  policies.find((p) => p.id === id) ?? BUILTIN_POLICIES.find((p) => p.id === id) ?? (BUILTIN_POLICIES[0] as SlaPolicyRecord);

const pausesOf = (c: SlaClockRecord) => c.pauses.map((p) => ({ from: new Date(p.from), to: p.to === null ? null : new Date(p.to) }));
const targetOf = (c: SlaClockRecord, p: SlaPolicyRecord) => ({ minutes: c.targetMinutes, businessHours: p.policy.businessHours });

/** Due and warning instants from the clock's start, business hours and pauses (null while an open pause holds it). */
const clockTimes = (c: SlaClockRecord, p: SlaPolicyRecord): { dueAt: number | null; warnAt: number | null } => {
  const target = targetOf(c, p);
  // Around the clock and never paused (most clocks, and every clock starting): the start plus the target, as
  // computeDue gives it (a Date keeps whole milliseconds).
  if (!target.businessHours && c.pauses.length === 0) {
    return { dueAt: Math.trunc(c.startedAt + target.minutes * 60_000), warnAt: Math.trunc(c.startedAt + target.minutes * p.policy.warnAtRatio * 60_000) };
  }
  const start = new Date(c.startedAt);
  const due = computeDue(target, p.calendar, start, pausesOf(c));
  const warn = computeDue({ ...target, minutes: target.minutes * p.policy.warnAtRatio }, p.calendar, start, pausesOf(c));
  return { dueAt: due ? due.getTime() : null, warnAt: warn ? warn.getTime() : null };
};

export const withTimes = (c: SlaClockRecord, p: SlaPolicyRecord): SlaClockRecord => ({ ...c, ...clockTimes(c, p) });

export const startClock = (input: { conversationId: string; policy: SlaPolicyRecord; metric: SlaMetric; startedAt: number; platform: string; band: PriorityBand; tier: string }): SlaClockRecord => {
  const target = slaTarget(input.policy.policy, input.metric, { channel: input.platform, band: input.band, tier: input.tier });
  const clock: SlaClockRecord = { id: newId(), conversationId: input.conversationId, policyId: input.policy.id, metric: input.metric, targetMinutes: target.minutes, startedAt: input.startedAt, dueAt: null, warnAt: null, pauses: [], metAt: null, warnedAt: null, breachedAt: null, closedAt: null };
  const times = clockTimes(clock, input.policy);
  clock.dueAt = times.dueAt;
  clock.warnAt = times.warnAt;
  return clock;
};

export const stateOf = (c: SlaClockRecord, p: SlaPolicyRecord, now: number): SlaStateName =>
  slaClock({ target: targetOf(c, p), calendar: p.calendar, startAt: new Date(c.startedAt), now: new Date(now), pausedIntervals: pausesOf(c), metAt: c.metAt === null ? null : new Date(c.metAt), warnAtRatio: p.policy.warnAtRatio }).state;

export const isPaused = (c: SlaClockRecord): boolean => c.pauses.some((p) => p.to === null);

/** First- and next-response clocks are met by a reply; the resolution clock only by resolving the conversation. */
export const isResponseClock = (c: Pick<SlaClockRecord, 'metric'>): boolean => c.metric !== 'resolution';

const endPauses = (c: SlaClockRecord, at: number): SlaClockRecord['pauses'] => c.pauses.map((p) => (p.to === null ? { ...p, to: Math.max(p.from, at) } : p));

/**
 * One check at the clock's next instant: the warning, or once warned the due instant (the warning check queues the
 * due one). The check job re-reads the clock, so stale checks do nothing. One job per clock, not two: most clocks
 * are met before their warning and their checks are pure overhead.
 */
export const scheduleChecks = async (c: SlaClockRecord, enqueue: JobContext['enqueue']): Promise<void> => {
  const at = nextCheckAt(c);
  if (at !== null) await enqueue('decide.sla_check', { clockIds: [c.id] }, at);
};

/** When a clock's next check is due (see scheduleChecks), or null for none. */
const nextCheckAt = (c: SlaClockRecord): number | null => {
  // Resolution clocks run for a day or more and most end long before their warning: the scheduler sweeps them.
  if (c.closedAt !== null || isPaused(c) || !isResponseClock(c)) return null;
  if (c.warnAt !== null && c.warnedAt === null) return c.warnAt;
  if (c.dueAt !== null && c.breachedAt === null) return c.dueAt;
  return null;
};

/** Most clocks one check job of a batch carries: the check reads and writes each clock apart. */
const CHECK_GROUP_MAX = 200;

/**
 * The checks of the clocks a batch starts, one job per second they fall in (at its end, so none runs before its
 * instant), of at most CHECK_GROUP_MAX clocks: a batch starts a clock or two per conversation, due within the same
 * few seconds, and a job each was a row each in the queue (14,000 per 20,000 messages of a burst).
 */
export const scheduleCheckBatch = async (clocks: readonly SlaClockRecord[], enqueue: JobContext['enqueue']): Promise<void> => {
  const bySecond = new Map<number, string[]>();
  for (const c of clocks) {
    const at = nextCheckAt(c);
    if (at !== null) pushTo(bySecond, Math.ceil(at / 1000) * 1000, c.id);
  }
  for (const [at, ids] of bySecond) for (let i = 0; i < ids.length; i += CHECK_GROUP_MAX) await enqueue('decide.sla_check', { clockIds: ids.slice(i, i + CHECK_GROUP_MAX) }, at);
};

/** The (conversation, start) pairs of the open response clocks, for one firstResponsesSince read per batch. */
export const responseClockKeys = (clocks: ReadonlyMap<string, readonly SlaClockRecord[]>): { conversationId: string; since: number }[] =>
  [...clocks.values()].flat().filter(isResponseClock).map((c) => ({ conversationId: c.conversationId, since: c.startedAt }));

/**
 * Brings a conversation's open clocks in line with the store: response clocks met by a reply, the resolution clock
 * met by resolving; any clock cancelled by closing (spam) or, for response clocks, by resolution; paused
 * while the conversation is `pending` (waiting on the customer), resumed otherwise. Returns the clocks still open.
 */
export const syncClocks = async (
  tx: Repositories,
  conversation: Pick<Conversation, 'id' | 'status'>,
  clocks: readonly SlaClockRecord[],
  policies: readonly SlaPolicyRecord[],
  now: number,
  enqueue: JobContext['enqueue'],
  /** First responses the caller already read for its batch (firstResponsesSince); clocks not in it are read here. */
  responses?: ReadonlyMap<string, number | null>,
): Promise<SlaClockRecord[]> => {
  const open: SlaClockRecord[] = [];
  for (const original of clocks) {
    let c = original;
    const policy = policyById(policies, c.policyId);
    const known = responses?.get(`${conversation.id}\u0000${c.startedAt}`);
    const respondedAt = !isResponseClock(c) ? null : known !== undefined ? known : await tx.sla.firstResponseSince(conversation.id, c.startedAt);
    if (respondedAt !== null) {
      c = { ...c, metAt: respondedAt, closedAt: now, pauses: endPauses(c, respondedAt) };
    } else if (!isResponseClock(c) && conversation.status === 'resolved') {
      // The resolution clock stops when the conversation is resolved: met, or breached if that came after the due instant.
      c = { ...c, metAt: now, closedAt: now, pauses: endPauses(c, now) };
    } else if (conversation.status === 'resolved' || conversation.status === 'closed') {
      c = { ...c, closedAt: now };
    } else if (conversation.status === 'pending' && !isPaused(c)) {
      c = withTimes({ ...c, pauses: [...c.pauses, { from: now, to: null }] }, policy);
    } else if (conversation.status !== 'pending' && isPaused(c)) {
      c = withTimes({ ...c, pauses: c.pauses.map((p) => (p.to === null ? { ...p, to: now } : p)) }, policy);
      await scheduleChecks(c, enqueue);
    }
    if (c !== original) await tx.sla.saveClock(c);
    if (c.closedAt === null) open.push(c);
  }
  return open;
};

/** The due instant the inbox shows: the earliest running clock's, none while paused. */
export const dueOf = (open: readonly SlaClockRecord[]): number | null => {
  const dues = open.filter((c) => !isPaused(c) && c.dueAt !== null).map((c) => c.dueAt as number);
  return dues.length ? Math.min(...dues) : null;
};
