import { describe, expect, it } from 'vitest';
import { createIncidentDetector, restoreIncidentDetector, type IncidentDetector } from './incident-detector.js';
import type { IncidentEvent, IncidentMessage } from './types.js';

const MINUTE = 60_000;
const START = Date.UTC(2026, 10, 20, 6);

/** Everyday complaints, many sharing words with the bursts below. */
const BACKGROUND = [
  'my bill is wrong this month, charged extra',
  'why did my bill go up again',
  'no signal in Leeds at home',
  'signal booster for sale, DM me',
  'delivery of my new phone is late',
  'cannot log in to the app, password reset broken',
  'mobile data slow in Bristol tonight',
  'broadband down in Glasgow again',
  'been on hold for forty minutes',
  'want to cancel my contract',
  'Manchester store staff were rude',
  'roaming charges on my bill are wrong',
  'the app keeps logging me out',
  'router keeps restarting itself',
  'courier lost my parcel with the new SIM',
  'upgrade price is a joke',
];

const OUTAGE = [
  'mobile data down in Manchester',
  'no 4G in Manchester since lunch',
  'is mobile data down in manchester? nothing loading',
  'Manchester mobile data not working at all',
  '4G dead in Manchester city centre, nothing loads',
  'data outage in Manchester?? #ManchesterOutage',
  'mobile data gone in manchester, restarted phone',
  'no mobile data in Manchester, anyone else?',
];

let counter = 0;
function message(text: string, at: number, overrides: Partial<IncidentMessage> = {}): IncidentMessage {
  counter++;
  return { id: `m-${String(counter).padStart(5, '0')}`, channelId: 'ch-x', platform: 'x', text, at, isComplaint: true, ...overrides };
}

/** Six quiet hours of background, one complaint a minute, so every topic has a baseline. */
function backgroundHours(hours = 6): IncidentMessage[] {
  return Array.from({ length: hours * 60 }, (_, i) => message(BACKGROUND[i % BACKGROUND.length] as string, START + i * MINUTE));
}

function warmed(): { detector: IncidentDetector; now: number; warmUp: IncidentMessage[] } {
  const detector = createIncidentDetector();
  const warmUp = backgroundHours();
  expect(detector.observe(warmUp)).toEqual([]);
  return { detector, now: (warmUp.at(-1) as IncidentMessage).at + MINUTE, warmUp };
}

function burst(texts: readonly string[], from: number, count: number, spacingMs: number, prefix: string): IncidentMessage[] {
  return Array.from({ length: count }, (_, i) => message(texts[i % texts.length] as string, from + i * spacingMs, { id: `${prefix}-${i}` }));
}

function membership(events: readonly IncidentEvent[]): Map<string, string> {
  const result = new Map<string, string>();
  for (const event of events) for (const id of event.messageIds) result.set(id, event.incidentId);
  return result;
}

describe('incident detector: grouping precisely', () => {
  it('groups a burst of one problem and leaves the background out', () => {
    const { detector, now } = warmed();
    const events = detector.observe(burst(OUTAGE, now, 16, 10_000, 'out'));
    const suspected = events.filter((e) => e.type === 'incident_suspected');
    expect(suspected).toHaveLength(1);
    const [incident] = detector.incidents();
    expect(incident?.memberIds.every((id) => id.startsWith('out-'))).toBe(true);
    expect(incident?.memberCount).toBeGreaterThanOrEqual(12);
    expect(incident?.terms).toContain('manchest');
    expect(incident?.window.from).toBe(now);
  });

  it('keeps "my bill is wrong" apart from a simultaneous "billing site down" burst', () => {
    const { detector, now, warmUp } = warmed();
    const wrongBill = ['my bill is wrong, charged twice', 'bill wrong again this month', 'wrong amount on my bill', 'my bill is wrong!!'];
    const siteDown = ['billing site down, cannot pay', 'the billing website is down', 'billing page down, payment fails', 'is the billing site down?'];
    const input = [...burst(wrongBill, now, 10, 20_000, 'wrong'), ...burst(siteDown, now + 5_000, 10, 20_000, 'site')];
    const events = detector.observe(input);
    const textOf = new Map([...warmUp, ...input].map((m) => [m.id, m.text]));
    for (const snapshot of detector.incidents()) {
      const kinds = new Set(snapshot.memberIds.map((id) => (/site|page/i.test(textOf.get(id) as string) ? 'site' : 'wrong')));
      expect(kinds.size).toBe(1);
    }
    // "bill wrong" is everyday traffic here, so only the site outage is a burst; it must not swallow the bills.
    const grouped = [...membership(events).keys()];
    expect(grouped.filter((id) => id.startsWith('site-')).length).toBeGreaterThanOrEqual(8);
    expect(grouped.filter((id) => id.startsWith('wrong-'))).toEqual([]);
  });

  it('never puts "no signal in Leeds" with "signal booster for sale"', () => {
    const { detector, now, warmUp } = warmed();
    const leeds = ['no signal in Leeds', 'Leeds has no signal today', 'zero signal across Leeds', 'no signal at all in Leeds'];
    const booster = ['signal booster for sale', 'selling a signal booster, cheap', 'signal booster for sale, works great', 'boosters for sale, signal guaranteed'];
    const input = [...burst(leeds, now, 10, 20_000, 'leeds'), ...burst(booster, now + 7_000, 10, 20_000, 'booster')];
    const events = detector.observe(input);
    // Background messages in the window may rightly join ("no signal in Leeds at home"): group by what they say.
    const textOf = new Map([...warmUp, ...input].map((m) => [m.id, m.text]));
    for (const snapshot of detector.incidents()) {
      const kinds = new Set(snapshot.memberIds.map((id) => (/booster/i.test(textOf.get(id) as string) ? 'booster' : 'leeds')));
      expect(kinds.size).toBe(1);
    }
    expect(membership(events).size).toBeGreaterThanOrEqual(16);
  });

  it('does not raise an incident from steady background traffic', () => {
    const detector = createIncidentDetector();
    detector.observe(backgroundHours(6));
    expect(detector.observe(backgroundHours(2).map((m) => ({ ...m, at: m.at + 6 * 60 * MINUTE })))).toEqual([]);
  });
});

describe('incident detector: live joining and lifecycle', () => {
  it('adds new matching messages to the open incident and ignores unrelated ones', () => {
    const { detector, now } = warmed();
    const [suspected] = detector.observe(burst(OUTAGE, now, 10, 10_000, 'out'));
    expect(suspected?.type).toBe('incident_suspected');
    const later = now + 5 * MINUTE;
    const events = detector.observe([message('mobile data still down in Manchester', later, { id: 'late-1' }), message('why did my bill go up again', later + 1000, { id: 'bg-1' })]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'member_added', incidentId: suspected?.incidentId, messageIds: ['late-1'] });
    expect(events[0]?.window.to).toBe(later);
  });

  it('confirms, resolves, and takes no members once resolved', () => {
    const { detector, now } = warmed();
    const [suspected] = detector.observe(burst(OUTAGE, now, 10, 10_000, 'out'));
    const id = suspected?.incidentId as string;
    expect(detector.confirm(id, now + MINUTE)?.status).toBe('confirmed');
    const resolved = detector.resolve(id, now + 2 * MINUTE);
    expect(resolved).toMatchObject({ status: 'resolved', resolvedAt: now + 2 * MINUTE, isAcceptingMembers: false });
    const events = detector.observe(message('mobile data down in Manchester again', now + 3 * MINUTE));
    expect(events.some((e) => e.incidentId === id)).toBe(false);
    expect(detector.confirm('inc_unknown', now)).toBeNull();
  });

  it('ignores non-complaints, replays and messages older than the window', () => {
    const { detector, now } = warmed();
    const batch = burst(OUTAGE, now, 10, 10_000, 'out');
    expect(detector.observe(batch).length).toBeGreaterThan(0);
    expect(detector.observe(batch)).toEqual([]);
    expect(detector.observe(message('mobile data down in Manchester', now + 2 * MINUTE, { isComplaint: false }))).toEqual([]);
    expect(detector.observe(message('mobile data down in Manchester', now - 60 * MINUTE))).toEqual([]);
    expect(detector.exportState().lateMessages).toBe(1);
  });
});

describe('incident detector: state and determinism', () => {
  const stream = (): IncidentMessage[] => {
    counter = 0;
    const background = backgroundHours(3);
    const from = (background.at(-1) as IncidentMessage).at + MINUTE;
    return [...background, ...burst(OUTAGE, from, 20, 15_000, 'out'), ...backgroundHours(1).map((m) => ({ ...m, at: m.at + 3 * 60 * MINUTE + 10 * MINUTE }))];
  };

  it('gives the same ids and events for the same input, in one batch or one by one', () => {
    const input = stream();
    const whole = createIncidentDetector().observe(input);
    const oneByOne = createIncidentDetector();
    const single = input.flatMap((m) => oneByOne.observe(m));
    expect(whole.length).toBeGreaterThan(0);
    expect(membership(single)).toEqual(membership(whole));
    expect(createIncidentDetector().observe(stream())).toEqual(whole);
  });

  it('restores from JSON and carries on exactly as if never stopped', () => {
    const input = stream();
    const cut = input.findIndex((m) => m.id === 'out-6');
    const straight = createIncidentDetector();
    straight.observe(input.slice(0, cut));
    const expected = straight.observe(input.slice(cut));

    const first = createIncidentDetector();
    first.observe(input.slice(0, cut));
    const saved = JSON.parse(JSON.stringify(first.exportState()));
    const restored = restoreIncidentDetector(saved);
    expect(restored.observe(input.slice(cut))).toEqual(expected);
    expect(restored.incidents()).toEqual(straight.incidents());
  });

  it('keeps only the sliding window of recent messages in its state', () => {
    const detector = createIncidentDetector({ windowMs: 10 * MINUTE });
    const input = backgroundHours(2);
    detector.observe(input);
    const state = detector.exportState();
    const last = (input.at(-1) as IncidentMessage).at;
    expect(state.window.length).toBeLessThanOrEqual(11);
    expect(state.window.every((entry) => entry.at >= last - 10 * MINUTE)).toBe(true);
  });
});
