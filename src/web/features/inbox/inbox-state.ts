import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, queryString } from '../../api/client.js';
import type { ConversationDto, Page } from '../../api/types.js';
import { usePollInterval } from '../live/live-events.js';

export const views = [
  { id: 'mine', label: 'Mine' },
  { id: 'unassigned', label: 'Unassigned' },
  { id: 'all', label: 'All' },
  { id: 'spam', label: 'Spam' },
] as const;
export type ViewId = (typeof views)[number]['id'];

export interface InboxFilters {
  view: ViewId;
  status: string;
  priority: string;
  sentiment: string;
  channelId: string;
}

export const statusOptions = ['open', 'pending', 'snoozed', 'resolved', 'closed'] as const;
export const priorityOptions = ['urgent', 'high', 'normal', 'low'] as const;
export const sentimentOptions = ['negative', 'neutral', 'positive'] as const;

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
  };
};

export const searchOf = (f: InboxFilters): string =>
  queryString({ view: f.view === 'mine' ? undefined : f.view, status: f.status === 'open' ? undefined : f.status || 'any', priority: f.priority, sentiment: f.sentiment, channel: f.channelId });

const pollMs = 5_000;

/** The list for a view: refreshed by the live stream, or polled when there is none, so new messages show up within seconds. */
export const useInbox = (f: InboxFilters) => {
  const refetchInterval = usePollInterval(pollMs);
  return useQuery({
    queryKey: ['conversations', f],
    queryFn: async () => {
      const assignee = f.view === 'mine' ? 'me' : f.view === 'unassigned' ? 'none' : undefined;
      const status = f.status === 'any' ? undefined : f.status;
      // Spam is kept out of every view but its own.
      const queue = f.view === 'spam' ? 'spam' : '!spam';
      const page = await api.get<Page<ConversationDto>>(`/conversations${queryString({ assignee, status, queue, priority: f.priority, sentiment: f.sentiment, channelId: f.channelId, limit: 100 })}`);
      return { items: page.items, nextCursor: page.nextCursor };
    },
    refetchInterval,
    placeholderData: keepPreviousData,
  });
};
