import { useQuery } from '@tanstack/react-query';
import { api, queryString } from '../../api/client.js';
import type { ConversationDto, Page } from '../../api/types.js';
import { usePollInterval } from '../live/live-events.js';

export const windowHours = 12;
const pageSize = 200;
const maxPages = 5;

/**
 * Conversations active in the last hours, newest activity first, read page by page (keyset) until the window or the
 * page budget ends. The dashboard aggregates in the browser because the API has no reports endpoint yet.
 */
export const useRecentConversations = () =>
  useQuery({
    queryKey: ['dashboard', 'conversations'],
    queryFn: async () => {
      const since = Date.now() - windowHours * 3_600_000;
      const items: ConversationDto[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < maxPages; page += 1) {
        const result: Page<ConversationDto> = await api.get<Page<ConversationDto>>(`/conversations${queryString({ limit: pageSize, cursor })}`);
        items.push(...result.items);
        const last = result.items[result.items.length - 1];
        cursor = result.nextCursor;
        if (!cursor || !last || Date.parse(last.lastMessageAt) < since) return { items, truncated: false };
      }
      return { items, truncated: cursor !== null };
    },
    refetchInterval: usePollInterval(15_000),
  });

export const isWaiting = (c: ConversationDto): boolean => (c.status === 'open' || c.status === 'pending') && c.queue !== 'spam';

export const bands = ['urgent', 'high', 'normal', 'low'] as const;

/** Waiting conversations counted by team and priority band; conversations without a team count under null. */
export const queueByTeam = (items: readonly ConversationDto[]): Map<string | null, Record<string, number> & { unassigned: number; total: number }> => {
  const table = new Map<string | null, Record<string, number> & { unassigned: number; total: number }>();
  for (const c of items) {
    if (!isWaiting(c)) continue;
    const row = table.get(c.teamId) ?? { urgent: 0, high: 0, normal: 0, low: 0, unassigned: 0, total: 0 };
    row[c.priorityBand] = (row[c.priorityBand] ?? 0) + 1;
    if (!c.assigneeId) row.unassigned += 1;
    row.total += 1;
    table.set(c.teamId, row);
  }
  return table;
};

/** Waiting conversations per assignee. */
export const loadByAgent = (items: readonly ConversationDto[]): Map<string, number> => {
  const load = new Map<string, number>();
  for (const c of items) if (isWaiting(c) && c.assigneeId) load.set(c.assigneeId, (load.get(c.assigneeId) ?? 0) + 1);
  return load;
};

/** Waiting conversations whose SLA is breached or due within `soonMs`, most urgent first. */
export const slaAtRisk = (items: readonly ConversationDto[], now: number, soonMs = 30 * 60_000): ConversationDto[] =>
  items.filter((c) => isWaiting(c) && c.slaDueAt !== null && Date.parse(c.slaDueAt) - now < soonMs).sort((a, b) => Date.parse(a.slaDueAt ?? '') - Date.parse(b.slaDueAt ?? ''));

export interface HourBucket {
  hour: string;
  negative: number;
  neutral: number;
  positive: number;
  unknown: number;
}

/** New conversations per hour over the window, split by the conversation's sentiment. */
export const volumeByHour = (items: readonly ConversationDto[], now: number): HourBucket[] => {
  const hourMs = 3_600_000;
  const end = Math.floor(now / hourMs) * hourMs;
  const buckets: HourBucket[] = [];
  for (let i = windowHours - 1; i >= 0; i -= 1) {
    const start = end - i * hourMs;
    buckets.push({ hour: new Date(start).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }), negative: 0, neutral: 0, positive: 0, unknown: 0 });
  }
  const first = end - (windowHours - 1) * hourMs;
  for (const c of items) {
    const at = Date.parse(c.createdAt);
    if (at < first) continue;
    const bucket = buckets[Math.min(buckets.length - 1, Math.floor((at - first) / hourMs))];
    if (!bucket) continue;
    const key = c.sentiment === 'negative' || c.sentiment === 'neutral' || c.sentiment === 'positive' ? c.sentiment : 'unknown';
    bucket[key] += 1;
  }
  return buckets;
};
