import { useTeams, useUsers } from '../../api/queries.js';
import { can } from '../../../shared/permissions.js';
import { linkTo } from '../../routes/router.js';
import { StackedBars } from '../../ui/bar-chart.js';
import { bandTone, Chip } from '../../ui/chip.js';
import { EmptyState, ErrorNotice } from '../../ui/notice.js';
import { slaState, useNow } from '../../ui/time.js';
import { useSession } from '../auth/session.js';
import { SlaAttainment } from './sla-attainment.js';
import { bands, loadByAgent, queueByTeam, slaAtRisk, useRecentConversations, volumeByHour, windowHours } from './dashboard-data.js';
import type { ConversationDto } from '../../api/types.js';
import { TableScroll } from '../../ui/table-scroll.js';

const sentimentSeries = [
  { key: 'negative', label: 'Negative', color: 'var(--chart-negative)' },
  { key: 'neutral', label: 'Neutral', color: 'var(--chart-neutral)' },
  { key: 'positive', label: 'Positive', color: 'var(--chart-positive)' },
  { key: 'unknown', label: 'Not classified', color: 'var(--chart-unknown)' },
];

const QueueTable = ({ items }: { items: ConversationDto[] }) => {
  const teams = useTeams();
  const table = queueByTeam(items);
  const rows = [...table.entries()].sort((a, b) => b[1].total - a[1].total);
  if (rows.length === 0) return <EmptyState title="Queues are empty">Nothing is waiting for an answer.</EmptyState>;
  return (
    <TableScroll label="Waiting conversations by team and priority">
    <table className="data-table">
      <caption className="sr-only">Waiting conversations by team and priority</caption>
      <thead>
        <tr>
          <th scope="col">Team</th>
          {bands.map((b) => (
            <th key={b} scope="col">
              <Chip tone={bandTone(b)}>{b}</Chip>
            </th>
          ))}
          <th scope="col">Unassigned</th>
          <th scope="col">Total</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([teamId, row]) => (
          <tr key={teamId ?? 'none'}>
            <th scope="row">{teamId ? (teams.data?.find((t) => t.id === teamId)?.name ?? 'Unknown team') : 'No team yet'}</th>
            {bands.map((b) => (
              <td key={b}>{row[b] ?? 0}</td>
            ))}
            <td>{row.unassigned}</td>
            <td>
              <strong>{row.total}</strong>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
    </TableScroll>
  );
};

const Agents = ({ items }: { items: ConversationDto[] }) => {
  const users = useUsers();
  const load = loadByAgent(items);
  const agents = (users.data ?? []).filter((u) => !u.disabled && (u.role === 'agent' || u.role === 'supervisor'));
  if (users.error) return <ErrorNotice error={users.error} />;
  if (agents.length === 0) return <EmptyState title="No agents yet">Add agents in Settings → Users.</EmptyState>;
  return (
    <table className="data-table">
      <caption className="sr-only">Agents: availability and load</caption>
      <thead>
        <tr>
          <th scope="col">Agent</th>
          <th scope="col">Status</th>
          <th scope="col">Load</th>
        </tr>
      </thead>
      <tbody>
        {agents.map((u) => {
          const open = load.get(u.id) ?? 0;
          const ratio = u.capacity > 0 ? Math.min(1, open / u.capacity) : 1;
          return (
            <tr key={u.id}>
              <th scope="row">{u.name}</th>
              <td>
                <Chip tone={u.status === 'online' ? 'good' : u.status === 'away' ? 'warn' : 'neutral'}>{u.status}</Chip>
              </td>
              <td>
                <span className="load">
                  <meter min={0} max={1} high={0.85} optimum={0.5} value={ratio} aria-label={`${u.name}'s load`} />
                  {open} / {u.capacity}
                </span>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
};

const SlaRisk = ({ items, now }: { items: ConversationDto[]; now: number }) => {
  const risky = slaAtRisk(items, now);
  if (risky.length === 0) return <EmptyState title="No SLA at risk">Nothing is overdue or due in the next 30 minutes.</EmptyState>;
  return (
    <ul className="plain-list sla-list">
      {risky.slice(0, 20).map((c) => {
        const sla = slaState(c.slaDueAt, now);
        const href = `/c/${encodeURIComponent(c.id)}?view=all`;
        return (
          <li key={c.id}>
            {sla ? <span className={`sla sla-${sla.state}`}>{sla.text}</span> : null}
            <a href={href} onClick={linkTo(href)}>
              {c.lastMessagePreview || c.subject || '(no text)'}
            </a>
            <Chip tone={bandTone(c.priorityBand)}>{c.priorityBand}</Chip>
          </li>
        );
      })}
    </ul>
  );
};

/** The supervisor's view of the floor: what waits where, who carries it, what is about to breach, how the day is going. */
export const SupervisorDashboard = () => {
  const { user } = useSession();
  const recent = useRecentConversations();
  const now = useNow(30_000);
  if (!can(user.role, 'queue:read')) {
    return (
      <main className="screen">
        <EmptyState title="Supervisors only">The dashboard is for supervisors and admins. Ask an admin if you need it.</EmptyState>
      </main>
    );
  }
  const items = recent.data?.items ?? [];
  return (
    <main className="screen dashboard" aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">Supervisor dashboard</h1>
      {recent.error ? <ErrorNotice error={recent.error} onRetry={() => void recent.refetch()} /> : null}
      {recent.isPending ? <p className="muted">Loading the queues…</p> : null}
      {recent.data?.truncated ? <p className="muted">Showing the 1,000 most recently active conversations.</p> : null}
      <div className="dashboard-grid">
        <section className="card dashboard-queue" aria-labelledby="queue-title">
          <h2 id="queue-title">Live queue</h2>
          <QueueTable items={items} />
        </section>
        <section className="card" aria-labelledby="agents-title">
          <h2 id="agents-title">Agents</h2>
          <Agents items={items} />
        </section>
        <section className="card" aria-labelledby="sla-title">
          <h2 id="sla-title">SLA at risk</h2>
          <SlaRisk items={items} now={now} />
        </section>
        <SlaAttainment />
        <section className="card dashboard-wide" aria-labelledby="volume-title">
          <h2 id="volume-title">Incoming volume and sentiment</h2>
          <StackedBars title={`New conversations per hour over the last ${windowHours} hours, by sentiment`} data={volumeByHour(items, now)} x="hour" series={sentimentSeries} />
        </section>
      </div>
    </main>
  );
};
