import { useQuery } from '@tanstack/react-query';
import { api, queryString } from '../../api/client.js';
import type { IncidentDto, Page } from '../../api/types.js';
import { linkTo, useLocation } from '../../routes/router.js';
import { Chip } from '../../ui/chip.js';
import { EmptyState, ErrorNotice } from '../../ui/notice.js';
import { timeAgo, useNow } from '../../ui/time.js';
import { usePollInterval } from '../live/live-events.js';
import { IncidentDetail } from './incident-detail.js';

const statuses = [
  { id: 'suspected', label: 'Suspected' },
  { id: 'confirmed', label: 'Confirmed' },
  { id: 'resolved', label: 'Resolved' },
] as const;

/** Bursts of similar complaints: review the suspected ones, confirm, answer once, resolve. */
export const IncidentsScreen = ({ id }: { id: string | null }) => {
  const location = useLocation();
  const status = statuses.find((s) => s.id === location.search.get('status'))?.id ?? 'suspected';
  const now = useNow(30_000);
  const list = useQuery({
    queryKey: ['incidents', 'list', status],
    queryFn: () => api.get<Page<IncidentDto>>(`/incidents${queryString({ status, limit: 100 })}`),
    refetchInterval: usePollInterval(10_000),
  });
  const items = list.data?.items ?? [];
  return (
    <div className="panes">
      <section className="inbox" aria-labelledby="incidents-title">
        <h1 id="incidents-title" className="pane-title">
          Incidents
        </h1>
        <nav className="tabs" aria-label="Incident status">
          {statuses.map((s) => (
            <a key={s.id} className="tab" href={`/incidents?status=${s.id}`} aria-current={status === s.id ? 'page' : undefined} onClick={linkTo(`/incidents?status=${s.id}`)}>
              {s.label}
            </a>
          ))}
        </nav>
        {list.error ? <ErrorNotice error={list.error} onRetry={() => void list.refetch()} /> : null}
        {list.isSuccess && items.length === 0 ? (
          <EmptyState title={`No ${status} incidents`}>{status === 'suspected' ? 'When several customers report the same problem at once, it shows up here for you to confirm.' : 'Nothing here right now.'}</EmptyState>
        ) : null}
        <ul className="rows" aria-label={`${status} incidents`}>
          {items.map((i) => {
            const href = `/incidents/${encodeURIComponent(i.id)}?status=${status}`;
            return (
              <li key={i.id} className="row">
                <a className="row-link" href={href} aria-current={i.id === id ? 'page' : undefined} onClick={linkTo(href)}>
                  <span className="row-top">
                    <span className="row-who">{i.terms.slice(0, 3).join(' · ') || 'Incident'}</span>
                    <span className="row-time">{timeAgo(i.window.to, now)}</span>
                  </span>
                  <span className="row-chips">
                    <Chip tone="bad">{i.memberCount} messages</Chip>
                    {Object.keys(i.platforms).map((p) => (
                      <Chip key={p}>{p}</Chip>
                    ))}
                    {i.acknowledgement ? <Chip tone="good">acknowledged</Chip> : null}
                  </span>
                </a>
              </li>
            );
          })}
        </ul>
      </section>
      <main className="detail">{id ? <IncidentDetail key={id} id={id} /> : <EmptyState title="No incident open">Pick one from the list to see its members and answer them all at once.</EmptyState>}</main>
    </div>
  );
};
