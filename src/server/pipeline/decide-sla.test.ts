import { describe, expect, it } from 'vitest';
import { computeDue } from '../decide/sla.js';
import { BUILTIN_POLICIES, startClock, withTimes } from './decide-sla.js';
import type { SlaPolicyRecord } from '../repositories/sla.repository.js';

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
