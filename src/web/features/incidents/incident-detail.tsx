import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { can } from '../../../shared/permissions.js';
import { api } from '../../api/client.js';
import { useChannels } from '../../api/queries.js';
import type { IncidentDto, IncidentMemberDto } from '../../api/types.js';
import { linkTo, navigate } from '../../routes/router.js';
import { StackedBars } from '../../ui/bar-chart.js';
import { Chip } from '../../ui/chip.js';
import { ErrorNotice } from '../../ui/notice.js';
import { formatDateTime } from '../../ui/time.js';
import { useSession } from '../auth/session.js';
import { usePollInterval } from '../live/live-events.js';
import { bucketMembers } from './incident-timeline.js';

const palette = ['var(--chart-negative)', 'var(--accent)', 'var(--chart-positive)', 'var(--public-edge)', 'var(--chart-neutral)', 'var(--private-edge)'];

/** One text box and button for the acknowledgement or the resolution notice, each fanned out to every member once. */
interface FanOut {
  kind: 'acknowledge' | 'resolve';
  queued: number;
  skipped: number;
}

const NoticeForm = ({ incident, kind, onSent }: { incident: IncidentDto; kind: 'acknowledge' | 'resolve'; onSent(result: FanOut): void }) => {
  const client = useQueryClient();
  const [text, setText] = useState(kind === 'acknowledge' ? 'We know about this problem and are working on it. We will post an update here as soon as it is fixed.' : 'This is fixed now. Thank you for your patience, and sorry for the trouble.');
  const send = useMutation({
    mutationFn: () => api.post<{ queued: number; skipped: number }>(`/incidents/${encodeURIComponent(incident.id)}/${kind}`, { text }),
    onSuccess: async (result) => {
      onSent({ kind, queued: result.queued, skipped: result.skipped });
      await client.invalidateQueries({ queryKey: ['incidents'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    send.mutate();
  };
  const label = kind === 'acknowledge' ? 'Acknowledgement (sent once to every member, in each channel’s wording)' : 'Resolution notice (sent once to every member)';
  return (
    <form onSubmit={submit} className="notice-form">
      <label className="field">
        <span>{label}</span>
        <textarea rows={3} maxLength={5000} required value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <button type="submit" className={kind === 'acknowledge' ? 'btn btn-primary' : 'btn'} disabled={send.isPending || !text.trim()}>
        {kind === 'acknowledge' ? 'Send the acknowledgement' : 'Resolve and notify'}
      </button>
      {send.error ? <ErrorNotice error={send.error} /> : null}
    </form>
  );
};

/** An incident: why its members were grouped, when they arrived on which channel, and the one answer to all of them. */
export const IncidentDetail = ({ id }: { id: string }) => {
  const { user } = useSession();
  const client = useQueryClient();
  const channels = useChannels();
  const detail = useQuery({
    queryKey: ['incidents', 'detail', id],
    queryFn: () => api.get<{ incident: IncidentDto; members: IncidentMemberDto[] }>(`/incidents/${encodeURIComponent(id)}`),
    refetchInterval: usePollInterval(10_000),
  });
  const [fanOut, setFanOut] = useState<FanOut | null>(null);
  const confirm = useMutation({
    mutationFn: () => api.post<IncidentDto>(`/incidents/${encodeURIComponent(id)}/confirm`),
    onSuccess: async () => {
      // It now lives in the confirmed list: follow it there so the list beside it stays in step.
      navigate(`/incidents/${encodeURIComponent(id)}?status=confirmed`, { replace: true });
      await client.invalidateQueries({ queryKey: ['incidents'] });
    },
  });
  if (detail.error) return <ErrorNotice error={detail.error} onRetry={() => void detail.refetch()} />;
  if (!detail.data) return <p className="muted">Loading incident…</p>;
  const { incident: i, members } = detail.data;
  const manage = can(user.role, 'incidents:manage');
  const { buckets, channelIds } = bucketMembers(members);
  const channelName = (cid: string) => channels.data?.find((c) => c.id === cid)?.name ?? cid;
  return (
    <article className="incident" aria-labelledby="incident-title">
      <h2 id="incident-title">
        {i.terms.slice(0, 4).join(' · ') || 'Incident'} <Chip tone={i.status === 'suspected' ? 'warn' : i.status === 'confirmed' ? 'bad' : 'good'}>{i.status}</Chip>
      </h2>
      <p className="muted">
        {i.memberCount} {i.memberCount === 1 ? 'message' : 'messages'} from {formatDateTime(i.window.from)} to {formatDateTime(i.window.to)} · confidence {Math.round(i.confidence * 100)}% · on{' '}
        {Object.entries(i.platforms)
          .map(([p, n]) => `${p} (${n})`)
          .join(', ')}
      </p>
      <p>
        Grouped because they share:{' '}
        {i.terms.map((t) => (
          <Chip key={t} tone="info">
            {t}
          </Chip>
        ))}
      </p>
      {buckets.length ? <StackedBars title="Members over time, by channel" data={buckets} x="time" series={channelIds.map((cid, n) => ({ key: cid, label: channelName(cid), color: palette[n % palette.length] ?? 'var(--accent)' }))} height={180} /> : null}

      {manage && i.status === 'suspected' ? (
        <div className="button-row">
          <button type="button" className="btn btn-primary" disabled={confirm.isPending} onClick={() => confirm.mutate()}>
            Confirm incident
          </button>
          {confirm.error ? <ErrorNotice error={confirm.error} /> : null}
        </div>
      ) : null}
      {i.acknowledgement ? (
        <blockquote className="incident-notice">
          <strong>Acknowledged{i.acknowledgedAt ? ` ${formatDateTime(i.acknowledgedAt)}` : ''}:</strong> {i.acknowledgement}
        </blockquote>
      ) : null}
      {i.resolution ? (
        <blockquote className="incident-notice">
          <strong>Resolved{i.resolvedAt ? ` ${formatDateTime(i.resolvedAt)}` : ''}:</strong> {i.resolution}
        </blockquote>
      ) : null}
      {fanOut ? (
        <p role="status" className="notice notice-info">
          {fanOut.kind === 'acknowledge' ? 'Acknowledgement' : 'Resolution notice'} queued for {fanOut.queued} {fanOut.queued === 1 ? 'conversation' : 'conversations'}
          {fanOut.skipped ? `; ${fanOut.skipped} skipped (already told)` : ''}.
        </p>
      ) : null}
      {manage && i.status === 'confirmed' && !i.acknowledgement ? <NoticeForm incident={i} kind="acknowledge" onSent={setFanOut} /> : null}
      {manage && i.status === 'confirmed' ? <NoticeForm incident={i} kind="resolve" onSent={setFanOut} /> : null}

      <h3>Members</h3>
      <ul className="plain-list members">
        {members.map((m) => {
          const href = m.conversationId ? `/c/${encodeURIComponent(m.conversationId)}?view=all&status=any` : null;
          return (
            <li key={m.messageId}>
              <span className="muted">{formatDateTime(m.createdAt)} · {channelName(m.channelId)} · {m.authorHandle ? `@${m.authorHandle}` : 'unknown'}</span>
              {href ? (
                <a href={href} onClick={linkTo(href)}>
                  {m.text}
                </a>
              ) : (
                <span>{m.text}</span>
              )}
            </li>
          );
        })}
      </ul>
    </article>
  );
};
