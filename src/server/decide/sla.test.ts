import { describe, expect, it } from 'vitest';
import { ALWAYS_OPEN, businessCalendarSchema, businessMsBetween, type BusinessCalendar } from './sla-calendar.js';
import { computeDue, resolveSlaTargets, slaAttainment, slaClock, slaPolicySchema, slaState, type SlaTarget } from './sla.js';

const H = 3_600_000;
const weekdays = { open: '09:00', close: '17:00' };
const paris: BusinessCalendar = businessCalendarSchema.parse({
  timeZone: 'Europe/Paris',
  hours: { mon: [weekdays], tue: [weekdays], wed: [weekdays], thu: [weekdays], fri: [weekdays] },
  holidays: ['2026-12-25'],
});
const newYork: BusinessCalendar = { ...paris, timeZone: 'America/New_York', holidays: [] };
const business = (minutes: number): SlaTarget => ({ minutes, businessHours: true });

describe('business calendar', () => {
  it('counts only open hours across a weekend (Paris is UTC+1 in winter)', () => {
    // Fri 2026-11-27 16:00 Paris → Mon 2026-11-30 10:00 Paris: 1 h Friday + 1 h Monday.
    expect(businessMsBetween(paris, new Date('2026-11-27T15:00:00Z'), new Date('2026-11-30T09:00:00Z'))).toBe(2 * H);
  });

  it('skips holidays', () => {
    // Thu 24 Dec 16:00 → Mon 28 Dec 10:00; Friday 25 is a holiday.
    expect(businessMsBetween(paris, new Date('2026-12-24T15:00:00Z'), new Date('2026-12-28T09:00:00Z'))).toBe(2 * H);
  });

  it('rejects a bad time zone and bad windows', () => {
    expect(businessCalendarSchema.safeParse({ ...paris, timeZone: 'Mars/Olympus' }).success).toBe(false);
    expect(businessCalendarSchema.safeParse({ ...paris, hours: { mon: [{ open: '17:00', close: '09:00' }] } }).success).toBe(false);
  });

  it('keeps local opening hours across the US spring-forward change', () => {
    // Fri 6 Mar 16:00 EST (21:00Z) + 2 business hours → Mon 9 Mar 10:00 EDT, which is 14:00Z (not 15:00Z).
    expect(computeDue(business(120), newYork, new Date('2026-03-06T21:00:00Z'), [])?.toISOString()).toBe('2026-03-09T14:00:00.000Z');
  });

  it('counts a 23-hour and a 25-hour local day on DST changes', () => {
    const allDayNy = { ...ALWAYS_OPEN, timeZone: 'America/New_York' };
    expect(businessMsBetween(allDayNy, new Date('2026-03-08T05:00:00Z'), new Date('2026-03-09T04:00:00Z'))).toBe(23 * H);
    const nightShift = businessCalendarSchema.parse({ timeZone: 'Europe/Paris', hours: { sun: [{ open: '01:00', close: '04:00' }] }, holidays: [] });
    // 25 Oct 2026: clocks go back 03:00 → 02:00, so 01:00–04:00 local lasts 4 hours.
    expect(businessMsBetween(nightShift, new Date('2026-10-24T00:00:00Z'), new Date('2026-10-26T00:00:00Z'))).toBe(4 * H);
  });
});

describe('computeDue', () => {
  it('carries the remainder to the next business day', () => {
    // Fri 27 Nov 16:30 Paris + 60 min → Mon 30 Nov 09:30 Paris.
    expect(computeDue(business(60), paris, new Date('2026-11-27T15:30:00Z'), [])?.toISOString()).toBe('2026-11-30T08:30:00.000Z');
  });

  it('starts the clock at opening when a message arrives out of hours', () => {
    expect(computeDue(business(30), paris, new Date('2026-11-28T12:00:00Z'), [])?.toISOString()).toBe('2026-11-30T08:30:00.000Z');
  });

  it('pauses while waiting on the customer', () => {
    const start = new Date('2026-11-30T08:00:00Z'); // Mon 09:00 Paris
    const pause = { from: new Date('2026-11-30T08:20:00Z'), to: new Date('2026-11-30T10:00:00Z') };
    expect(computeDue(business(60), paris, start, [pause])?.toISOString()).toBe('2026-11-30T10:40:00.000Z');
    expect(computeDue(business(60), paris, start, [{ from: pause.from, to: null }])).toBeNull();
    expect(computeDue(business(10), paris, start, [{ from: pause.from, to: null }])?.toISOString()).toBe('2026-11-30T08:10:00.000Z');
  });

  it('runs around the clock when the policy ignores business hours', () => {
    const due = computeDue({ minutes: 90, businessHours: false }, paris, new Date('2026-11-28T23:00:00Z'), []);
    expect(due?.toISOString()).toBe('2026-11-29T00:30:00.000Z');
  });

  it('gives an unpaused around-the-clock clock the due instant and elapsed time of the full walk', () => {
    // The full walk runs for a clock with a pause; one that ended before the start changes nothing.
    const before = (start: Date) => [{ from: new Date(start.getTime() - 2 * H), to: new Date(start.getTime() - H) }];
    for (let i = 0; i < 200; i += 1) {
      const start = new Date(Date.UTC(2026, 0, 1) + ((i * 7_919_333) % (365 * 24 * H)));
      const target = { minutes: 1 + ((i * 37) % 3000), businessHours: false };
      expect(computeDue(target, ALWAYS_OPEN, start, [])).toEqual(computeDue(target, ALWAYS_OPEN, start, before(start)));
      const now = new Date(start.getTime() + ((i * 104_729) % (3 * 24 * H)) - H);
      const plain = slaClock({ target, calendar: ALWAYS_OPEN, startAt: start, now });
      expect(plain).toEqual(slaClock({ target, calendar: ALWAYS_OPEN, startAt: start, now, pausedIntervals: before(start) }));
    }
  });
});

describe('slaState', () => {
  const startAt = new Date('2026-11-30T08:00:00Z');
  const at = (min: number) => new Date(startAt.getTime() + min * 60_000);
  const input = { target: business(60), calendar: paris, startAt };

  it('moves from ok to warning to breached', () => {
    expect(slaState({ ...input, now: at(10) })).toBe('ok');
    expect(slaState({ ...input, now: at(50) })).toBe('warning');
    expect(slaState({ ...input, now: at(61) })).toBe('breached');
    expect(slaClock({ ...input, now: at(61) }).remainingMs).toBe(-60_000);
  });

  it('reports met or breached once answered, and paused while waiting', () => {
    expect(slaState({ ...input, now: at(120), metAt: at(45) })).toBe('met');
    expect(slaState({ ...input, now: at(120), metAt: at(75) })).toBe('breached');
    expect(slaState({ ...input, now: at(40), pausedIntervals: [{ from: at(30), to: null }] })).toBe('paused');
  });
});

describe('policies and attainment', () => {
  const policy = slaPolicySchema.parse({
    id: 'p',
    name: 'Default',
    businessHours: true,
    defaults: { firstResponseMinutes: 60, nextResponseMinutes: 120, resolutionMinutes: 1440 },
    overrides: [
      { tier: 'vip', targets: { firstResponseMinutes: 30 } },
      { channel: 'x', band: 'urgent', targets: { firstResponseMinutes: 15 } },
      { band: 'urgent', targets: { firstResponseMinutes: 20, resolutionMinutes: 240 } },
    ],
  });

  it('lets the most specific override win', () => {
    expect(resolveSlaTargets(policy, { channel: 'x', band: 'urgent', tier: 'vip' })).toEqual({ firstResponseMinutes: 15, nextResponseMinutes: 120, resolutionMinutes: 240 });
    expect(resolveSlaTargets(policy, { channel: 'email', band: 'urgent', tier: 'standard' }).firstResponseMinutes).toBe(20);
    expect(resolveSlaTargets(policy, { channel: 'email', band: 'low', tier: 'vip' }).firstResponseMinutes).toBe(30);
    expect(policy.warnAtRatio).toBe(0.8);
  });

  it('computes attainment over decided outcomes only', () => {
    const now = new Date('2026-11-30T12:00:00Z');
    const d = (iso: string) => new Date(iso);
    const a = slaAttainment(
      [
        { dueAt: d('2026-11-30T10:00:00Z'), metAt: d('2026-11-30T09:00:00Z') },
        { dueAt: d('2026-11-30T10:00:00Z'), metAt: d('2026-11-30T11:00:00Z') },
        { dueAt: d('2026-11-30T11:00:00Z'), metAt: null },
        { dueAt: d('2026-11-30T13:00:00Z'), metAt: null },
        { dueAt: null, metAt: null },
      ],
      now,
    );
    expect(a).toEqual({ met: 1, breached: 2, pending: 2, pct: (1 / 3) * 100 });
    expect(slaAttainment([], now).pct).toBeNull();
  });
});
