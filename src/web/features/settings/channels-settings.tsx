import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { Platform } from '../../../shared/envelope.js';
import { api } from '../../api/client.js';
import { useChannels } from '../../api/queries.js';
import type { ChannelDto } from '../../api/types.js';
import { Chip } from '../../ui/chip.js';
import { EmptyState, ErrorNotice } from '../../ui/notice.js';
import { timeAgo, useNow } from '../../ui/time.js';
import { TableScroll } from '../../ui/table-scroll.js';

// The platforms an admin can connect (the internal `import` source is left out); typed so a renamed platform fails to compile.
const platforms = ['x', 'facebook', 'instagram', 'whatsapp', 'reddit', 'mastodon', 'bluesky', 'rss', 'email', 'chat', 'form', 'phone'] as const satisfies readonly Platform[];

const health = (c: ChannelDto, now: number): { tone: 'good' | 'warn' | 'bad' | 'neutral'; text: string } => {
  if (c.status === 'paused') return { tone: 'neutral', text: 'paused' };
  const lastError = c.health.lastErrorAt ? Date.parse(c.health.lastErrorAt) : 0;
  const lastEvent = c.health.lastEventAt ? Date.parse(c.health.lastEventAt) : 0;
  if (lastError > lastEvent) return { tone: 'bad', text: 'failing' };
  if (!lastEvent) return { tone: 'warn', text: 'no traffic yet' };
  return { tone: 'good', text: now - lastEvent > 24 * 3_600_000 ? 'quiet for a day' : 'healthy' };
};

interface WidgetDto {
  scriptUrl: string;
  snippet: string;
  allowedOrigins: string[];
  ready: boolean;
}

/** A web chat channel's embed snippet, read-only, with a Copy button where the browser offers the clipboard. */
const WidgetSnippet = ({ c }: { c: ChannelDto }) => {
  const widget = useQuery({ queryKey: ['channels', c.id, 'widget'], queryFn: () => api.get<WidgetDto>(`/channels/${encodeURIComponent(c.id)}/widget`) });
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  // Only on secure origins (https or localhost); elsewhere the field is selected on focus for a manual copy.
  const canCopy = typeof navigator.clipboard?.writeText === 'function';
  const copy = (snippet: string) => {
    navigator.clipboard.writeText(snippet).then(() => setCopied('yes'), () => setCopied('failed'));
  };
  if (widget.error) return <ErrorNotice error={widget.error} onRetry={() => void widget.refetch()} />;
  if (!widget.data) return <p className="muted">Loading the embed snippet…</p>;
  const { snippet, allowedOrigins, ready } = widget.data;
  const id = `snippet-${c.id}`;
  return (
    <div className="widget-snippet">
      <label htmlFor={id}>Embed snippet for {c.name}</label>
      <div className="button-row">
        <input id={id} className="code" readOnly value={snippet} size={Math.min(snippet.length, 90)} onFocus={(e) => e.currentTarget.select()} />
        {canCopy ? (
          <button type="button" className="btn btn-small" onClick={() => copy(snippet)}>
            Copy snippet
          </button>
        ) : null}
      </div>
      {copied ? <p role="status" className="muted">{copied === 'yes' ? 'Copied to the clipboard.' : 'The browser refused the clipboard: select the snippet and copy it by hand.'}</p> : null}
      <p className="muted">{ready ? `Paste it before </body> on ${allowedOrigins.join(', ')}.` : 'No site may embed it yet: add the allowed origins (config.allowedOrigins) to the channel, or the widget will not start.'}</p>
    </div>
  );
};

const ChannelRow = ({ c, now }: { c: ChannelDto; now: number }) => {
  const client = useQueryClient();
  const setStatus = useMutation({
    mutationFn: (status: 'active' | 'paused') => api.post(`/channels/${encodeURIComponent(c.id)}/status`, { status }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['channels'] }),
  });
  const test = useMutation({
    mutationFn: () => api.post<{ ok: boolean; detail: string }>(`/channels/${encodeURIComponent(c.id)}/test`),
    onSettled: () => client.invalidateQueries({ queryKey: ['channels'] }),
  });
  const h = health(c, now);
  return (
    <>
      <tr>
        <th scope="row">
          {c.name}
          <div className="muted">{c.platform}</div>
        </th>
        <td>
          <Chip tone={h.tone}>{h.text}</Chip>
        </td>
        <td>{c.health.lastEventAt ? timeAgo(c.health.lastEventAt, now) : '—'}</td>
        <td className="wrap">{c.health.lastError ? `${c.health.lastError} (${c.health.lastErrorAt ? timeAgo(c.health.lastErrorAt, now) : ''})` : '—'}</td>
        <td>{c.hasCredentials ? 'stored' : <span className="muted">none</span>}</td>
        <td>
          <button type="button" className="btn btn-small" disabled={setStatus.isPending} onClick={() => setStatus.mutate(c.status === 'paused' ? 'active' : 'paused')}>
            {c.status === 'paused' ? `Resume ${c.name}` : `Pause ${c.name}`}
          </button>{' '}
          <button type="button" className="btn btn-small" disabled={test.isPending} onClick={() => test.mutate()}>
            {test.isPending ? 'Testing…' : `Test ${c.name}`}
          </button>
          {test.data ? (
            <p role="status" className={test.data.ok ? 'muted' : 'notice notice-error'}>
              {test.data.ok ? 'Connection works' : 'Connection failed'}: {test.data.detail}
            </p>
          ) : null}
          {setStatus.error ? <ErrorNotice error={setStatus.error} /> : null}
          {test.error ? <ErrorNotice error={test.error} /> : null}
        </td>
      </tr>
      {c.platform === 'chat' ? (
        <tr>
          <td colSpan={6}>
            <WidgetSnippet c={c} />
          </td>
        </tr>
      ) : null}
    </>
  );
};

const NewChannel = () => {
  const client = useQueryClient();
  const [platform, setPlatform] = useState<(typeof platforms)[number]>('x');
  const [name, setName] = useState('');
  const [accounts, setAccounts] = useState('');
  const create = useMutation({
    mutationFn: () => api.post('/channels', { platform, name, ownAccountIds: accounts.split(/[\s,]+/).filter(Boolean) }),
    onSuccess: async () => {
      setName('');
      setAccounts('');
      await client.invalidateQueries({ queryKey: ['channels'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form className="card inline-form new-item" onSubmit={submit} aria-labelledby="new-channel-title">
      <h2 id="new-channel-title">Add a channel</h2>
      <label className="field">
        <span>Platform</span>
        <select value={platform} onChange={(e) => setPlatform(platforms.find((p) => p === e.target.value) ?? 'x')}>
          {platforms.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Channel name</span>
        <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label className="field">
        <span>Our account ids (to ignore our own posts)</span>
        <input value={accounts} onChange={(e) => setAccounts(e.target.value)} />
      </label>
      <button type="submit" className="btn btn-primary" disabled={create.isPending}>
        Add channel
      </button>
      <p className="muted form-hint">Credentials are set with <code>parley channel add</code>; they are encrypted at rest and never shown again.</p>
      {create.error ? <ErrorNotice error={create.error} /> : null}
    </form>
  );
};

/** Channels with their health: is traffic arriving, did the last call fail, pause and resume. */
export const ChannelsSettings = () => {
  const channels = useChannels();
  const now = useNow(30_000);
  const visible = (channels.data ?? []).filter((c) => c.status !== 'removed');
  return (
    <section aria-label="Channels">
      <NewChannel />
      {channels.error ? <ErrorNotice error={channels.error} onRetry={() => void channels.refetch()} /> : null}
      {channels.isSuccess && visible.length === 0 ? <EmptyState title="No channels yet">Add one above to start listening.</EmptyState> : null}
      <TableScroll label="Channels">
        <table className="data-table">
          <caption className="sr-only">Channels</caption>
          <thead>
            <tr>
              <th scope="col">Channel</th>
              <th scope="col">Health</th>
              <th scope="col">Last message</th>
              <th scope="col">Last error</th>
              <th scope="col">Credentials</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {visible.map((c) => (
              <ChannelRow key={c.id} c={c} now={now} />
            ))}
          </tbody>
        </table>
      </TableScroll>
    </section>
  );
};
