import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { navigate, useLocation } from '../../routes/router.js';
import { isTyping } from '../../ui/keys.js';
import { EmptyState, ErrorNotice } from '../../ui/notice.js';
import { useNow } from '../../ui/time.js';
import { ConversationRow } from './conversation-row.js';
import { InboxFilters } from './inbox-filters.js';
import { TakeNext } from './take-next.js';
import { filtersFrom, searchOf, useInbox, type InboxFilters as Filters } from './inbox-state.js';

const emptyText: Record<Filters['view'], string> = {
  mine: 'Nothing assigned to you right now. Pick one from Unassigned, or set yourself Online to receive new ones.',
  unassigned: 'Every conversation has an owner. New messages land here until routing or an agent picks them up.',
  teams: 'Nothing open for your teams, or you are in no team yet: an admin adds you under Settings → Users and roles.',
  incidents: 'No conversation is part of an incident. When a burst of similar complaints is detected, its conversations gather here.',
  all: 'No conversations match. Clear a filter, or connect a channel to start listening.',
  spam: 'No spam caught. Messages the classifier marks as spam are kept here, out of the queues.',
};

/** Rows this close to the end of what is loaded fetch the next keyset page. */
const loadAhead = 15;
const rowHeightGuess = 86;

/**
 * The list of conversations for a view. Only the rows in sight are in the DOM (the list may hold thousands), more
 * pages load as it scrolls, j/k move (scrolling the selection into view), Enter opens.
 */
export const Inbox = ({ activeId }: { activeId: string | null }) => {
  const location = useLocation();
  const filters = filtersFrom(location.search);
  const inbox = useInbox(filters);
  const now = useNow(30_000);
  const [selected, setSelected] = useState(0);
  const [focusRequest, setFocusRequest] = useState<number | null>(null);
  const scroller = useRef<HTMLElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const [listTop, setListTop] = useState(0);
  const items = inbox.items;
  const search = searchOf(filters);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = inbox;

  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeightGuess,
    overscan: 6,
    scrollMargin: listTop,
    getItemKey: (index) => items[index]?.id ?? index,
  });
  const virtualRows = virtualizer.getVirtualItems();

  // The list starts below the filters (whose height changes as filters open and notices come and go).
  useLayoutEffect(() => {
    const top = listRef.current?.offsetTop ?? 0;
    if (top !== listTop) setListTop(top);
  });

  const lastRendered = virtualRows[virtualRows.length - 1]?.index ?? -1;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastRendered >= items.length - loadAhead) void fetchNextPage();
  }, [lastRendered, items.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  // Keyboard moves may target a row that is not rendered yet: scroll to it, then focus it once it is in the DOM.
  useEffect(() => {
    if (focusRequest === null) return;
    const row = listRef.current?.querySelector<HTMLAnchorElement>(`li[data-index="${focusRequest}"] a.row-link`);
    if (row) {
      row.focus({ preventScroll: true });
      setFocusRequest(null);
    }
  });

  const open = (id: string) => navigate(`/c/${encodeURIComponent(id)}${search}`);
  const setFilters = (next: Filters) => {
    setSelected(0);
    scroller.current?.scrollTo({ top: 0 });
    navigate(`${activeId ? `/c/${encodeURIComponent(activeId)}` : '/'}${searchOf(next)}`, { replace: true });
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.metaKey || event.ctrlKey || event.altKey || isTyping(event.target) || document.querySelector('dialog[open]')) return;
      if (event.key !== 'j' && event.key !== 'k' && event.key !== 'Enter') return;
      if (event.key === 'Enter') {
        const target = items[selected];
        // Enter on a link or button is that control's own action (a row link, a suggested reply), not "open the selection".
        if (target && !(event.target instanceof HTMLAnchorElement) && !(event.target instanceof HTMLButtonElement)) open(target.id);
        return;
      }
      const next = Math.max(0, Math.min(items.length - 1, selected + (event.key === 'j' ? 1 : -1)));
      setSelected(next);
      virtualizer.scrollToIndex(next, { align: 'auto' });
      setFocusRequest(next);
      if (next >= items.length - loadAhead && hasNextPage && !isFetchingNextPage) void fetchNextPage();
      event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });

  const total = virtualizer.getTotalSize();
  return (
    <section className="inbox" aria-labelledby="inbox-title" ref={scroller}>
      <h1 id="inbox-title" className="sr-only">
        Inbox
      </h1>
      <TakeNext search={search} />
      <InboxFilters filters={filters} onChange={setFilters} />
      <p className="muted keys-hint">
        <kbd>j</kbd>/<kbd>k</kbd> to move, <kbd>Enter</kbd> to open, <kbd>n</kbd> to take the next, <kbd>/</kbd> to search, <kbd>?</kbd> for all shortcuts
        {inbox.isFetching && !isFetchingNextPage ? ' · refreshing…' : ''}
      </p>
      {inbox.error ? <ErrorNotice error={inbox.error} onRetry={() => void inbox.refetch()} /> : null}
      {inbox.isPending ? <p className="muted">Loading conversations…</p> : null}
      {inbox.isSuccess && items.length === 0 ? (
        filters.q ? (
          <EmptyState title="No messages match">Nothing in this view mentions “{filters.q}”. Try fewer words, another view (All), or clear the filters.</EmptyState>
        ) : (
          <EmptyState title="No conversations here">{emptyText[filters.view]}</EmptyState>
        )
      ) : null}
      <ul className="rows rows-virtual" ref={listRef} aria-label={filters.q ? `Conversations matching ${filters.q}` : 'Conversations'} style={{ height: total }}>
        {virtualRows.map((row) => {
          const c = items[row.index];
          if (!c) return null;
          return (
            <ConversationRow
              key={row.key}
              conversation={c}
              href={`/c/${encodeURIComponent(c.id)}${search}`}
              selected={row.index === selected}
              active={c.id === activeId}
              now={now}
              onOpen={() => open(c.id)}
              onFocus={() => setSelected(row.index)}
              index={row.index}
              setSize={hasNextPage ? -1 : items.length}
              measureRef={virtualizer.measureElement}
              offset={row.start - virtualizer.options.scrollMargin}
            />
          );
        })}
      </ul>
      {isFetchingNextPage ? <p className="muted">Loading more…</p> : null}
      {inbox.isSuccess && items.length > 0 && !hasNextPage ? <p className="muted list-end">{items.length === 1 ? 'One conversation' : `${items.length} conversations`}; that is all.</p> : null}
    </section>
  );
};
