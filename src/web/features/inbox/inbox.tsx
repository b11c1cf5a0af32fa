import { useEffect, useRef, useState } from 'react';
import { navigate, useLocation } from '../../routes/router.js';
import { isTyping } from '../../ui/keys.js';
import { EmptyState, ErrorNotice } from '../../ui/notice.js';
import { useNow } from '../../ui/time.js';
import { ConversationRow } from './conversation-row.js';
import { InboxFilters } from './inbox-filters.js';
import { filtersFrom, searchOf, useInbox, type InboxFilters as Filters } from './inbox-state.js';


const emptyText: Record<Filters['view'], string> = {
  mine: 'Nothing assigned to you right now. Pick one from Unassigned, or set yourself Online to receive new ones.',
  unassigned: 'Every conversation has an owner. New messages land here until routing or an agent picks them up.',
  all: 'No conversations match. Clear a filter, or connect a channel to start listening.',
  spam: 'No spam caught. Messages the classifier marks as spam are kept here, out of the queues.',
};

/** The list of conversations for a view; j/k move, enter opens. */
export const Inbox = ({ activeId }: { activeId: string | null }) => {
  const location = useLocation();
  const filters = filtersFrom(location.search);
  const inbox = useInbox(filters);
  const now = useNow(30_000);
  const [selected, setSelected] = useState(0);
  const listRef = useRef<HTMLUListElement>(null);
  const items = inbox.data?.items ?? [];
  const search = searchOf(filters);

  const open = (id: string) => navigate(`/c/${encodeURIComponent(id)}${search}`);
  const setFilters = (next: Filters) => {
    setSelected(0);
    navigate(`${activeId ? `/c/${encodeURIComponent(activeId)}` : '/'}${searchOf(next)}`, { replace: true });
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.metaKey || event.ctrlKey || event.altKey || isTyping(event.target) || document.querySelector('dialog[open]')) return;
      if (event.key !== 'j' && event.key !== 'k' && event.key !== 'Enter') return;
      if (event.key === 'Enter') {
        const target = items[selected];
        if (target && !(event.target instanceof HTMLAnchorElement)) open(target.id);
        return;
      }
      const next = Math.max(0, Math.min(items.length - 1, selected + (event.key === 'j' ? 1 : -1)));
      setSelected(next);
      listRef.current?.querySelectorAll<HTMLAnchorElement>('a.row-link')[next]?.focus();
      event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });

  return (
    <section className="inbox" aria-labelledby="inbox-title">
      <h1 id="inbox-title" className="sr-only">
        Inbox
      </h1>
      <InboxFilters filters={filters} onChange={setFilters} />
      <p className="muted keys-hint">
        <kbd>j</kbd>/<kbd>k</kbd> to move, <kbd>Enter</kbd> to open
        , <kbd>?</kbd> for all shortcuts
        {inbox.isFetching ? ' · refreshing…' : ''}
      </p>
      {inbox.error ? <ErrorNotice error={inbox.error} onRetry={() => void inbox.refetch()} /> : null}
      {inbox.isPending ? <p className="muted">Loading conversations…</p> : null}
      {inbox.isSuccess && items.length === 0 ? <EmptyState title="No conversations here">{emptyText[filters.view]}</EmptyState> : null}
      <ul className="rows" ref={listRef} aria-label="Conversations">
        {items.map((c, index) => (
          <ConversationRow key={c.id} conversation={c} href={`/c/${encodeURIComponent(c.id)}${search}`} selected={index === selected} active={c.id === activeId} now={now} onOpen={() => open(c.id)} onFocus={() => setSelected(index)} />
        ))}
      </ul>
      {inbox.data?.nextCursor ? <p className="muted">Showing the 100 most recent; narrow the filters to see older ones.</p> : null}
    </section>
  );
};
