import { DateTime } from 'luxon';
import { z } from 'zod';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:MM (00:00..24:00)');
const windowSchema = z
  .object({ open: clock, close: clock })
  .refine((w) => toMinutes(w.open) < toMinutes(w.close), { message: 'open must be before close' });

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Business hours of a team: local wall-clock windows per weekday in an IANA zone, plus closed local dates. */
export const businessCalendarSchema = z.object({
  timeZone: z.string().refine(isTimeZone, { message: 'unknown IANA time zone' }),
  hours: z.partialRecord(z.enum(WEEKDAYS), z.array(windowSchema)),
  holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')),
});
export type BusinessCalendar = z.infer<typeof businessCalendarSchema>;

/** A calendar open around the clock, every day, for teams without business hours. */
export const ALWAYS_OPEN: BusinessCalendar = Object.freeze({
  timeZone: 'UTC',
  hours: Object.fromEntries(WEEKDAYS.map((d) => [d, [{ open: '00:00', close: '24:00' }]])),
  holidays: [],
}) as BusinessCalendar;

/** Half-open interval [start, end) in epoch milliseconds. */
export interface Span {
  start: number;
  end: number;
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

interface PreparedCalendar {
  zone: string;
  byWeekday: { open: number; close: number }[][];
  holidays: Set<string>;
}

const prepared = new WeakMap<BusinessCalendar, PreparedCalendar>();

function prepare(calendar: BusinessCalendar): PreparedCalendar {
  let p = prepared.get(calendar);
  if (!p) {
    p = {
      zone: calendar.timeZone,
      byWeekday: WEEKDAYS.map((d) =>
        (calendar.hours[d] ?? []).map((w) => ({ open: toMinutes(w.open), close: toMinutes(w.close) })),
      ),
      holidays: new Set(calendar.holidays),
    };
    prepared.set(calendar, p);
  }
  return p;
}

/** Guards against calendars with no open hours at all, which would otherwise loop for ever. */
const MAX_DAYS = 800;

/**
 * Yields the calendar's open spans (UTC epoch ms) that overlap [from, ∞), in order, clipped to
 * start at `from`. Local times are resolved in the calendar's zone, so a 09:00 opening stays at
 * 09:00 local across DST changes; a window touching a skipped hour is shortened accordingly.
 */
export function* openSpans(calendar: BusinessCalendar, from: number): Generator<Span> {
  const p = prepare(calendar);
  let day = DateTime.fromMillis(from, { zone: p.zone }).startOf('day');
  let emptyDays = 0;
  while (emptyDays < MAX_DAYS) {
    const windows = p.holidays.has(day.toISODate() ?? '') ? [] : (p.byWeekday[day.weekday - 1] ?? []);
    let yielded = false;
    for (const w of windows) {
      const start = atLocalMinute(day, w.open);
      const end = atLocalMinute(day, w.close);
      if (end <= from || end <= start) continue;
      yielded = true;
      yield { start: Math.max(start, from), end };
    }
    emptyDays = yielded ? 0 : emptyDays + 1;
    day = day.plus({ days: 1 });
  }
  throw new Error(`business calendar has no open hours within ${MAX_DAYS} days`);
}

function atLocalMinute(day: DateTime, minuteOfDay: number): number {
  if (minuteOfDay >= 24 * 60) return day.plus({ days: 1 }).toMillis();
  return day.set({ hour: Math.floor(minuteOfDay / 60), minute: minuteOfDay % 60 }).toMillis();
}

/** Milliseconds of open business time between two instants (0 when `to` is not after `from`). */
export function businessMsBetween(calendar: BusinessCalendar, from: Date, to: Date): number {
  const end = to.getTime();
  let total = 0;
  if (end <= from.getTime()) return 0;
  for (const span of openSpans(calendar, from.getTime())) {
    if (span.start >= end) break;
    total += Math.min(span.end, end) - span.start;
  }
  return total;
}
