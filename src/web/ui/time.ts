import { useEffect, useState } from 'react';

/** The current time, re-rendering every `everyMs` so countdowns stay live without refetching. */
export const useNow = (everyMs = 30_000): number => {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
};

const span = (ms: number): string => {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  if (minutes < 1) return '<1m';
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d`;
};

export const timeAgo = (iso: string, now: number): string => `${span(now - Date.parse(iso))} ago`;

export interface SlaState {
  text: string;
  state: 'ok' | 'soon' | 'breached';
}

/** "due in 25m" / "overdue 3m"; soon means under 15 minutes left. */
export const slaState = (dueIso: string | null, now: number): SlaState | null => {
  if (!dueIso) return null;
  const left = Date.parse(dueIso) - now;
  if (left < 0) return { text: `SLA overdue ${span(left)}`, state: 'breached' };
  return { text: `SLA due in ${span(left)}`, state: left < 15 * 60_000 ? 'soon' : 'ok' };
};

export const formatDateTime = (iso: string): string => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
