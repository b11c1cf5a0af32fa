import { describe, expect, it } from 'vitest';
import { computeDue } from '../decide/sla.js';
import { BUILTIN_POLICIES, scheduleCheckBatch, scheduleChecks, startClock, withTimes } from './decide-sla.js';
import type { SlaClockRecord, SlaPolicyRecord } from '../repositories/sla.repository.js';

/** A built-in policy with other targets and warning ratio (around the clock, as the built-ins are). */
const policyWith = (minutes: number, warnAtRatio: number): SlaPolicyRecord => {
  const base = BUILTIN_POLICIES[0]!;
  return { ...base, policy: { ...base.policy, warnAtRatio, defaults: { ...base.policy.defaults, firstResponseMinutes: minutes }, overrides: [] } };
};

describe('startClock', () => {
  it('is due and warns when computeDue says, for any target and warning ratio', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 300; i += 1) {
      // Unround targets too: a due time between two milliseconds keeps the earlier, as a Date does.
      const minutes = i % 2 ? random() * 2000 + 0.001 : Math.round(random() * 2000 * 100) / 100 + 0.01;
      const ratio = i % 3 ? random() : Math.round(random() * 100) / 100;
      const startedAt = 1_700_000_000_000 + Math.floor(random() * 1e10);
      const policy = policyWith(minutes, ratio);
      const clock = startClock({ conversationId: 'c', policy, metric: 'first_response', startedAt, platform: 'x', band: 'normal', tier: 'standard' });
      const target = { minutes, businessHours: false };
      expect(clock.dueAt, `${minutes} min`).toBe(computeDue(target, policy.calendar, new Date(startedAt))!.getTime());
      expect(clock.warnAt, `${minutes} min × ${ratio}`).toBe(computeDue({ ...target, minutes: minutes * ratio }, policy.calendar, new Date(startedAt))!.getTime());
      // A paused clock takes the walk: an open pause holds it (no due time) unless the target falls before it.
      const pause = { from: startedAt + 60_000, to: null };
      const paused = withTimes({ ...clock, pauses: [pause] }, policy);
      const walked = (m: number) => computeDue({ minutes: m, businessHours: false }, policy.calendar, new Date(startedAt), [{ from: new Date(pause.from), to: null }])?.getTime() ?? null;
      expect([paused.dueAt, paused.warnAt]).toEqual([walked(minutes), walked(minutes * ratio)]);
      expect(paused.dueAt).toBe(minutes <= 1 ? clock.dueAt : null);
    }
  });
});

describe('scheduleCheckBatch', () => {
  type Queued = { clockIds: string[]; runAt: number };
  const queue = () => {
    const jobs: Queued[] = [];
    const enqueue = async (type: string, payload: unknown, runAt?: number) => {
      expect(type).toBe('decide.sla_check');
      jobs.push({ clockIds: (payload as { clockIds: string[] }).clockIds, runAt: runAt! });
    };
    return { jobs, enqueue };
  };

  it('checks every clock a check of its own would, at no earlier instant and at most a second later, in few jobs', async () => {
    const base: Omit<SlaClockRecord, 'id' | 'metric' | 'dueAt' | 'warnAt'> = { conversationId: 'c', policyId: 'p', targetMinutes: 15, startedAt: 0, pauses: [], metAt: null, warnedAt: null, breachedAt: null, closedAt: null };
    const clocks: SlaClockRecord[] = [];
    const t0 = 1_700_000_000_000;
    // A burst: 450 response clocks warning within the same two seconds (more than one job's worth in one second), some
    // warned already (due next), and clocks that need no check: paused, closed, breached, resolution clocks.
    for (let i = 0; i < 450; i += 1) clocks.push({ ...base, id: `warn-${i}`, metric: 'first_response', warnAt: t0 + 700 + i * 3, dueAt: t0 + 60_000 + i });
    for (let i = 0; i < 20; i += 1) clocks.push({ ...base, id: `due-${i}`, metric: 'next_response', warnAt: t0 + i, warnedAt: t0 + i, dueAt: t0 + 5_000 + i * 137 });
    clocks.push({ ...base, id: 'paused', metric: 'first_response', warnAt: t0, dueAt: t0 + 1, pauses: [{ from: t0 - 1, to: null }] });
    clocks.push({ ...base, id: 'closed', metric: 'first_response', warnAt: t0, dueAt: t0 + 1, closedAt: t0 - 1 });
    clocks.push({ ...base, id: 'breached', metric: 'first_response', warnAt: t0, warnedAt: t0, dueAt: t0 + 1, breachedAt: t0 + 1 });
    clocks.push({ ...base, id: 'resolution', metric: 'resolution', warnAt: t0, dueAt: t0 + 1 });

    const one = queue();
    for (const c of clocks) await scheduleChecks(c, one.enqueue);
    const batch = queue();
    await scheduleCheckBatch(clocks, batch.enqueue);

    const instantOf = new Map(one.jobs.map((j) => [j.clockIds[0]!, j.runAt]));
    const scheduled = batch.jobs.flatMap((j) => j.clockIds.map((id) => ({ id, runAt: j.runAt })));
    expect(scheduled.map((s) => s.id).sort()).toEqual([...instantOf.keys()].sort());
    for (const s of scheduled) {
      expect(s.runAt).toBeGreaterThanOrEqual(instantOf.get(s.id)!);
      expect(s.runAt - instantOf.get(s.id)!).toBeLessThan(1000);
    }
    expect(Math.max(...batch.jobs.map((j) => j.clockIds.length))).toBeLessThanOrEqual(200);
    expect(batch.jobs.length).toBeLessThan(20);
  });
});
