import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Envelope } from '../../../shared/envelope.js';
import { envelopeSchema } from '../../../shared/envelope.js';
import { ConnectorError } from '../port.js';
import type { ChannelAdapter, Cursor, Deletion, StreamSink } from '../port.js';
import { startFakeMastodonServer } from './fake-server.js';
import type { FakeMastodonServer } from './fake-server.js';
import { mapMastodonStatus } from './map.js';
import { createMastodonAdapter } from './mastodon.connector.js';
import { loopbackContext } from '../contract/loopback-guard.js';

function collectingSink() {
  const envelopes: Envelope[] = [];
  const deletions: Deletion[] = [];
  const health: string[] = [];
  let cursor: Cursor = null;
  const sink: StreamSink = {
    async deliver(e, d, c) {
      envelopes.push(...e);
      deletions.push(...d);
      cursor = c;
    },
    health: (event) => health.push(event.type),
  };
  return { sink, envelopes, deletions, health, cursor: () => cursor };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('mapMastodonStatus', () => {
  const status = {
    id: '108914343542683797', uri: 'https://x.social/users/ann/statuses/1', url: 'https://x.social/@ann/1', created_at: '2026-11-20T10:00:00.000Z',
    account: { id: '77', username: 'ann', acct: 'ann@x.social', display_name: 'Ann', followers_count: 321 },
    content: '<p><span class="h-card"><a href="https://m/@acme" class="u-url mention">@<span>acme</span></a></span> my card was charged &amp; twice</p><p>help</p>',
    visibility: 'direct', in_reply_to_id: null, mentions: [], edited_at: null, spoiler_text: '', media_attachments: [{ type: 'image', url: 'https://m/1.png', description: 'receipt' }], reblog: null,
  };
  it('strips HTML, maps a direct status to a private dm, keeps media metadata', () => {
    const e = envelopeSchema.parse(mapMastodonStatus(status, 'ch'));
    expect(e).toMatchObject({ kind: 'dm', visibility: 'private', externalId: '108914343542683797', author: { platformId: '77', handle: 'ann@x.social', followers: 321 } });
    expect(e.text).toBe('@acme my card was charged & twice\n\nhelp');
    expect(e.attachments).toEqual([{ url: 'https://m/1.png', contentType: 'image/*', name: 'receipt' }]);
  });
  it('drops boosts and our own statuses', () => {
    expect(mapMastodonStatus({ ...status, reblog: { id: '1' } }, 'ch')).toBeNull();
    expect(mapMastodonStatus(status, 'ch', { ownAccountIds: ['77'] })).toBeNull();
  });
});

describe('Mastodon adapter against the fake instance', () => {
  let server: FakeMastodonServer;
  let adapter: ChannelAdapter;
  beforeEach(async () => {
    server = await startFakeMastodonServer({ accessToken: 'tok' });
    adapter = createMastodonAdapter({ id: 'ch-m', platform: 'mastodon', config: { baseUrl: server.url, reconnectBaseMs: 50 }, credentials: { accessToken: 'tok' }, ownAccountIds: [] }, loopbackContext);
  });
  afterEach(async () => {
    await server.close();
  });

  it('streams mentions, catches up after a forced reconnect with nothing lost or repeated, and applies edits and deletes', async () => {
    const before = server.mention({ acct: 'early@else.where', text: 'waiting since yesterday' });
    const out = collectingSink();
    const stop = new AbortController();
    const running = adapter.stream!(out.sink, null, stop.signal);
    await until(() => server.streamCount() === 1 && out.envelopes.length === 1, 'first connection');
    const a = server.mention({ acct: 'ann', text: 'live one' });
    await until(() => out.envelopes.length === 2, 'live mention');

    server.dropStreams();
    await until(() => server.streamCount() === 0, 'drop');
    const b = server.mention({ acct: 'bob', text: 'while you were away' });
    const c = server.mention({ acct: 'cy', text: 'me too', visibility: 'direct' });
    await until(() => server.streamCount() === 1, 'reconnect');
    const d = server.mention({ acct: 'dee', text: 'after reconnect' });
    await until(() => out.envelopes.length >= 5, 'all mentions');

    server.edit(a.statusId, 'live one, edited');
    server.remove(b.statusId);
    await until(() => out.deletions.length === 1, 'delete');
    stop.abort();
    await running;

    const ids = out.envelopes.filter((e) => !e.editedAt).map((e) => e.externalId);
    expect(ids).toEqual([before.statusId, a.statusId, b.statusId, c.statusId, d.statusId]);
    expect(out.envelopes.find((e) => e.externalId === c.statusId)).toMatchObject({ kind: 'dm', visibility: 'private' });
    const edit = out.envelopes.find((e) => e.editedAt);
    expect(edit).toMatchObject({ externalId: a.statusId, text: 'live one, edited' });
    expect(out.deletions).toEqual([{ channelId: 'ch-m', externalId: b.statusId }]);
    // The cursor resumes after the newest mention and watches the live ones (the deleted one no longer).
    const saved = JSON.parse(out.cursor()!) as { n: string; w: [string, string | null, number][] };
    expect(saved.n).toBe(d.notificationId);
    expect(saved.w.map(([id]) => id)).toEqual([before.statusId, c.statusId, d.statusId, a.statusId]);
    expect(saved.w.find(([id]) => id === a.statusId)?.[1]).not.toBeNull();
    expect(out.health).toContain('disconnected');
    for (const e of out.envelopes) envelopeSchema.parse(e);
  });

  it('resumes from a saved cursor in a new adapter without repeating', async () => {
    server.mention({ acct: 'ann', text: 'one' });
    const first = await adapter.poll!(null);
    const later = Array.from({ length: 45 }, (_, i) => server.mention({ acct: `u${i}`, text: `n${i}` }).statusId);
    const fresh = createMastodonAdapter({ id: 'ch-m', platform: 'mastodon', config: { baseUrl: server.url }, credentials: { accessToken: 'tok' }, ownAccountIds: ['1000'] }, loopbackContext);
    const second = await fresh.poll!(first.cursor);
    expect(second.envelopes.map((e) => e.externalId)).toEqual(later);
    expect((await fresh.poll!(second.cursor)).envelopes).toEqual([]);
  });

  it('replies with in_reply_to_id, the parent visibility, a mention and an idempotency key; its echo is ignored', async () => {
    const out = collectingSink();
    const stop = new AbortController();
    const running = adapter.stream!(out.sink, null, stop.signal);
    await until(() => server.streamCount() === 1, 'connect');
    const dm = server.mention({ acct: 'cy@else.where', text: 'private please', visibility: 'direct' });
    await until(() => out.envelopes.length === 1, 'dm');
    const sent = await adapter.send({ idempotencyKey: 'out-1', channelId: 'ch-m', kind: 'reply', text: 'we are on it', inReplyToExternalId: dm.statusId });
    const again = await adapter.send({ idempotencyKey: 'out-1', channelId: 'ch-m', kind: 'reply', text: 'we are on it', inReplyToExternalId: dm.statusId });
    expect(again.platformMessageId).toBe(sent.platformMessageId);
    expect(server.posted[0]).toEqual({ body: { status: '@cy@else.where we are on it', in_reply_to_id: dm.statusId, visibility: 'direct' }, idempotencyKey: 'out-1' });
    server.mention({ acct: 'zed', text: 'marker' });
    await until(() => out.envelopes.length === 2, 'marker');
    stop.abort();
    await running;
    expect(out.envelopes.map((e) => e.externalId)).not.toContain(sent.platformMessageId);
  });

  it('listens on followed hashtags with the exact query filter, catching up through the tag timeline after a reconnect', async () => {
    const listener = createMastodonAdapter({
      id: 'ch-m', platform: 'mastodon', config: { baseUrl: server.url, reconnectBaseMs: 50, listeningQueries: ['#acme AND (outage OR down)'] }, credentials: { accessToken: 'tok' }, ownAccountIds: [],
    }, loopbackContext);
    const out = collectingSink();
    const stop = new AbortController();
    const running = listener.stream!(out.sink, null, stop.signal);
    await until(() => server.subscriptions().includes('hashtag:acme'), 'hashtag subscription');
    const live = server.publicPost({ acct: 'ann@x.social', text: 'checkout outage again', tags: ['acme'] });
    server.publicPost({ acct: 'bob@x.social', text: 'loving the new release', tags: ['acme'] });
    await until(() => out.envelopes.length === 1, 'live listening status');
    server.dropStreams();
    await until(() => server.streamCount() === 0, 'drop');
    const missed = server.publicPost({ acct: 'cy@x.social', text: 'app is down for me', tags: ['acme'] });
    const mention = server.mention({ acct: 'dee', text: 'help' });
    await until(() => out.envelopes.length === 3, 'catch-up');
    stop.abort();
    await running;
    expect(out.envelopes.map((e) => [e.externalId, e.listening])).toEqual([[live, true], [mention.statusId, false], [missed, true]]);
    expect(JSON.parse(out.cursor()!)).toMatchObject({ n: mention.notificationId, l: missed });
    const resumed = await listener.poll!(out.cursor());
    expect(resumed.envelopes).toEqual([]);
  });

  it('maps 429 with an ISO reset to a retryable error, and validation failures to permanent ones', async () => {
    const reset = new Date(Date.now() + 120_000).toISOString();
    server.failNext('/api/v1/statuses', 429, { 'x-ratelimit-reset': reset });
    const error = await adapter.send({ idempotencyKey: 'k', channelId: 'ch-m', kind: 'dm', text: 'hi', recipient: { platformId: '5', handle: 'ann' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).retryable).toBe(true);
    expect((error as ConnectorError).retryAfterMs).toBeGreaterThan(110_000);
    expect((error as ConnectorError).retryAfterMs).toBeLessThanOrEqual(120_000);
    await expect(adapter.send({ idempotencyKey: 'k2', channelId: 'ch-m', kind: 'reply', text: 'x', inReplyToExternalId: '42' })).rejects.toMatchObject({ retryable: false, platformCode: 'http_404' });
    await expect(adapter.send({ idempotencyKey: 'k3', channelId: 'ch-m', kind: 'dm', text: 'no one' })).rejects.toMatchObject({ retryable: false, platformCode: 'no_recipient' });
  });

  it('stops streaming with a permanent error when the token is refused', async () => {
    const bad = createMastodonAdapter({ id: 'ch-m', platform: 'mastodon', config: { baseUrl: server.url, streamingUrl: server.url.replace('http', 'ws'), accountId: '1000' }, credentials: { accessToken: 'wrong' }, ownAccountIds: [] }, loopbackContext);
    const out = collectingSink();
    await expect(bad.stream!(out.sink, null, new AbortController().signal)).rejects.toMatchObject({ retryable: false });
  });
});
