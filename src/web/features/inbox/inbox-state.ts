import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { api, queryString } from '../../api/client.js';
import type { ConversationDto, Page } from '../../api/types.js';
import { usePollInterval } from '../live/live-events.js';

export const views = [
  { id: 'mine', label: 'Mine' },
  { id: 'unassigned', label: 'Unassigned' },
  { id: 'teams', label: 'My teams' },
  { id: 'all', label: 'All' },
  { id: 'incidents', label: 'Incidents' },
  { id: 'spam', label: 'Spam' },
] as const;
export type ViewId = (typeof views)[number]['id'];

export interface InboxFilters {
  view: ViewId;
  status: string;
  priority: string;
  sentiment: string;
  channelId: string;
  intent: string;
  language: string;
  sla: string;
  tier: string;
  /** Full-text search over the conversations' messages. */
  q: string;
}

export const statusOptions = ['open', 'pending', 'snoozed', 'resolved', 'closed'] as const;
export const priorityOptions = ['urgent', 'high', 'normal', 'low'] as const;
export const sentimentOptions = ['negative', 'neutral', 'positive'] as const;
export const slaOptions = [
  { value: 'breached', label: 'Overdue' },
  { value: 'soon', label: 'Due within 15m' },
  { value: 'ok', label: 'Due later' },
  { value: 'none', label: 'No SLA clock' },
] as const;
export const tierOptions = [
  { value: 'standard', label: 'Standard (<1k followers)' },
  { value: 'micro', label: 'Micro (1k+)' },
  { value: 'mid', label: 'Mid (10k+)' },
  { value: 'macro', label: 'Macro (100k+)' },
  { value: 'mega', label: 'Mega (1M+)' },
] as const;
/** The built-in intents; a workspace's own intents can be typed in the same field. */
export const intentSuggestions = ['account_access', 'billing', 'cancellation', 'complaint', 'how_to', 'order_delivery', 'outage', 'praise', 'privacy_security', 'product_defect', 'promotion', 'other'] as const;
export const languageSuggestions = ['en', 'es', 'fr', 'de', 'pt', 'it', 'nl', 'pl', 'tr', 'ar', 'hi', 'ja', 'zh', 'und'] as const;

const isView = (v: string | null): v is ViewId => views.some((x) => x.id === v);

/** Filters live in the URL so a reload or a shared link shows the same list. */
export const filtersFrom = (search: URLSearchParams): InboxFilters => {
  const view = search.get('view');
  return {
    view: isView(view) ? view : 'mine',
    status: search.get('status') ?? 'open',
    priority: search.get('priority') ?? '',
    sentiment: search.get('sentiment') ?? '',
    channelId: search.get('channel') ?? '',
    intent: search.get('intent') ?? '',
    language: search.get('language') ?? '',
    sla: search.get('sla') ?? '',
    tier: search.get('tier') ?? '',
    q: search.get('q') ?? '',
  };
};

export const searchOf = (f: InboxFilters): string =>
  queryString({
    view: f.view === 'mine' ? undefined : f.view,
    status: f.status === 'open' ? undefined : f.status || 'any',
    priority: f.priority,
    sentiment: f.sentiment,
    channel: f.channelId,
    intent: f.intent,
    language: f.language,
    sla: f.sla,
    tier: f.tier,
    q: f.q.trim(),
  });

/** How many filters beyond the view narrow the list (the status default not counted). */
export const activeFilterCount = (f: InboxFilters): number => [f.status !== 'open', f.priority, f.sentiment, f.channelId, f.intent, f.language, f.sla, f.tier].filter(Boolean).length;

const pollMs = 5_000;
export const pageSize = 50;

/**
 * The list for a view, one keyset page at a time (more load as the list scrolls). Refreshed by the live stream,
 * or polled when there is none, so new messages show up within seconds.
 */
export const useInbox = (f: InboxFilters) => {
  const refetchInterval = usePollInterval(pollMs);
  const query = useInfiniteQuery({
    queryKey: ['conversations', f],
    queryFn: async ({ pageParam }) => {
      const assignee = f.view === 'mine' ? 'me' : f.view === 'unassigned' ? 'none' : undefined;
      const status = f.status === 'any' ? undefined : f.status;
      // Spam is kept out of every view but its own.
      const queue = f.view === 'spam' ? 'spam' : '!spam';
      const teams = f.view === 'teams' ? 'mine' : undefined;
      const incident = f.view === 'incidents' ? 'any' : undefined;
      const params = { assignee, teams, incident, status, queue, priority: f.priority, sentiment: f.sentiment, channelId: f.channelId, intent: f.intent, language: f.language, sla: f.sla, tier: f.tier, q: f.q.trim(), limit: pageSize, cursor: pageParam };
      return api.get<Page<ConversationDto>>(`/conversations${queryString(params)}`);
    },
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval,
    placeholderData: keepPreviousData,
  });
  // A conversation that moved up while later pages were re-read could show twice: keep its newest place.
  const seen = new Set<string>();
  const items = (query.data?.pages.flatMap((p) => p.items) ?? []).filter((c) => !seen.has(c.id) && Boolean(seen.add(c.id)));
  return { ...query, items };
};
