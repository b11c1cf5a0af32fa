import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envelopeSchema } from '../../../shared/envelope.js';
import { ConnectorError } from '../port.js';
import type { ChannelAdapter, Cursor } from '../port.js';
import { startFakeRedditServer } from './fake-server.js';
import type { FakeRedditServer } from './fake-server.js';
import { mapRedditThing } from './map.js';
import { createRedditAdapter } from './reddit.connector.js';

const creds = { clientId: 'cid', clientSecret: 'csecret', username: 'acme_support', password: 'pw' };

function makeAdapter(server: FakeRedditServer, credentials: Record<string, unknown> = creds): ChannelAdapter {
  return createRedditAdapter({
    id: 'ch-reddit',
    platform: 'reddit',
    config: { apiBaseUrl: server.url, authBaseUrl: server.url, subreddits: ['acme'], userAgent: 'test:parley:1 (by /u/acme_support)' },
    credentials,
    ownAccountIds: ['t2_bot0001'],
  });
}

describe('mapRedditThing', () => {
  it('maps a comment from the wire reference to a valid envelope', () => {
    const thing = {
      kind: 't1',
      data: {
        id: 'lmn456', name: 't1_lmn456', body: '@acme why is my order late?', author: 'someuser', author_fullname: 't2_abc',
        created_utc: 1717236000.0, edited: false, link_id: 't3_xyz789', parent_id: 't3_xyz789', subreddit: 'acme',
        permalink: '/r/acme/comments/xyz789/title/lmn456/',
      },
    };
    const envelope = envelopeSchema.parse(mapRedditThing(thing, 'ch1'));
    expect(envelope).toMatchObject({
      externalId: 't1_lmn456', kind: 'comment', visibility: 'public', text: '@acme why is my order late?', inReplyTo: 't3_xyz789',
      threadKey: 't3_xyz789', url: 'https://www.reddit.com/r/acme/comments/xyz789/title/lmn456/', createdAt: '2024-06-01T10:00:00.000Z',
      author: { platformId: 't2_abc', handle: 'someuser' },
    });
  });

  it('maps a private message chain to a private dm keyed by its first message', () => {
    const thing = { kind: 't4', data: { id: 'm2', name: 't4_m2', body: 'refund?', subject: 're: order', author: 'bob', created_utc: 1717236000, first_message_name: 't4_m1', parent_id: 't4_m1' } };
    expect(mapRedditThing(thing, 'ch1')).toMatchObject({ kind: 'dm', visibility: 'private', threadKey: 't4_m1', subject: 're: order' });
  });

  it('drops deleted things and our own echoes', () => {
    const base = { id: 'a', name: 't1_a', created_utc: 1717236000, link_id: 't3_x', parent_id: 't3_x' };
    expect(mapRedditThing({ kind: 't1', data: { ...base, author: '[deleted]', body: '[deleted]' } }, 'c')).toBeNull();
    expect(mapRedditThing({ kind: 't1', data: { ...base, author: 'acme_support', body: 'hi' } }, 'c', { ownAccountIds: ['acme_support'] })).toBeNull();
  });
});

describe('Reddit adapter against the fake server', () => {
  let server: FakeRedditServer;
  beforeEach(async () => {
    server = await startFakeRedditServer({ ...creds, refreshToken: 'refresh-1' });
  });
  afterEach(async () => {
    await server.close();
  });

  it('polls subreddit and inbox with a cursor that survives a new adapter: nothing lost, nothing repeated', async () => {
    const first = server.addComment({ subreddit: 'acme', author: 'alice', body: 'my order is late' });
    const mention = server.addComment({ subreddit: 'acme', author: 'bob', body: 'u/acme_support help', inbox: true });
    const pm = server.addMessage({ author: 'carol', subject: 'refund', body: 'please refund' });
    const a = makeAdapter(server);
    const r1 = await a.poll!(null);
    expect(r1.envelopes.map((e) => e.externalId).sort()).toEqual([first, mention, pm].sort());
    expect(r1.envelopes.find((e) => e.externalId === mention)?.listening).toBe(false);
    expect(r1.envelopes.find((e) => e.externalId === first)?.listening).toBe(true);
    for (const e of r1.envelopes) envelopeSchema.parse(e);

    // 150 new comments span two pages; a fresh adapter resumes from the saved cursor.
    const later: string[] = [];
    for (let i = 0; i < 150; i++) later.push(server.addComment({ subreddit: 'acme', author: `u${i}`, body: `comment ${i}` }));
    const b = makeAdapter(server);
    const r2 = await b.poll!(r1.cursor);
    expect(r2.envelopes.map((e) => e.externalId)).toEqual(later);
    const r3 = await b.poll!(r2.cursor);
    expect(r3.envelopes).toEqual([]);
    expect(server.tokenGrants).toEqual(['password', 'password']);
    expect(server.requests.every((r) => r.userAgent === 'test:parley:1 (by /u/acme_support)')).toBe(true);
  });

  it('notices edits as a new version and deletes as tombstones', async () => {
    const name = server.addComment({ subreddit: 'acme', author: 'alice', body: 'broken' });
    const gone = server.addComment({ subreddit: 'acme', author: 'dave', body: 'spam' });
    const a = makeAdapter(server);
    let cursor: Cursor = (await a.poll!(null)).cursor;
    server.edit(name, 'broken, still');
    server.remove(gone);
    const r = await a.poll!(cursor);
    cursor = r.cursor;
    expect(r.envelopes).toHaveLength(1);
    expect(r.envelopes[0]).toMatchObject({ externalId: name, text: 'broken, still' });
    expect(r.envelopes[0]?.editedAt).toBeTruthy();
    expect(r.deletions).toEqual([{ channelId: 'ch-reddit', externalId: gone }]);
    const again = await a.poll!(cursor);
    expect(again.envelopes).toEqual([]);
    expect(again.deletions).toEqual([]);
  });

  it('replies with /api/comment and suppresses the echo of its own reply', async () => {
    const parent = server.addComment({ subreddit: 'acme', author: 'alice', body: 'help' });
    const a = makeAdapter(server);
    const { cursor } = await a.poll!(null);
    const sent = await a.send({ idempotencyKey: 'k1', channelId: 'ch-reddit', kind: 'reply', text: 'On it!', inReplyToExternalId: parent });
    expect(sent.platformMessageId).toMatch(/^t1_/);
    expect(server.replies[0]?.data).toMatchObject({ parent_id: parent, body: 'On it!' });
    const next = await a.poll!(cursor);
    expect(next.envelopes).toEqual([]);
  });

  it('searches Reddit-wide posts with the compiled listening query and keeps only exact matches', async () => {
    const hit = server.addPost({ subreddit: 'gadgets', author: 'ann', title: 'Acme outage today?', selftext: 'nothing loads' });
    server.addPost({ subreddit: 'gadgets', author: 'bob', title: 'acme launch party', selftext: 'fun' });
    server.addPost({ subreddit: 'pics', author: 'cy', title: 'my cat' });
    const a = createRedditAdapter({
      id: 'ch-reddit', platform: 'reddit',
      config: { apiBaseUrl: server.url, authBaseUrl: server.url, includeInbox: false, listeningQueries: ['acme AND (outage OR down)'] },
      credentials: creds, ownAccountIds: [],
    });
    const first = await a.poll!(null);
    expect(first.envelopes.map((e) => [e.externalId, e.kind, e.listening])).toEqual([[hit, 'post', true]]);
    expect(server.searches[0]).toMatch(/acme/i);
    const later = server.addPost({ subreddit: 'gadgets', author: 'dee', title: 'acme down again', selftext: '' });
    expect((await a.poll!(first.cursor)).envelopes.map((e) => e.externalId)).toEqual([later]);
    const bad = createRedditAdapter({ id: 'c', platform: 'reddit', config: { apiBaseUrl: server.url, authBaseUrl: server.url, listeningQueries: ['(acme'] }, credentials: creds, ownAccountIds: [] });
    await expect(bad.poll!(null)).rejects.toMatchObject({ retryable: false, platformCode: 'listening_query' });
  });

  it('refreshes an expired token once and retries', async () => {
    const a = makeAdapter(server, { clientId: 'cid', clientSecret: 'csecret', refreshToken: 'refresh-1' });
    await a.poll!(null);
    server.expireTokens();
    server.addComment({ subreddit: 'acme', author: 'alice', body: 'x' });
    await a.poll!(null);
    expect(server.tokenGrants).toEqual(['refresh_token', 'refresh_token']);
  });

  it('maps 429 to a retryable error with the reset delay, and json errors to permanent ones', async () => {
    const parent = server.addComment({ subreddit: 'acme', author: 'alice', body: 'help' });
    const a = makeAdapter(server);
    server.failNext('/api/comment', 429, { 'x-ratelimit-reset': '42', 'x-ratelimit-remaining': '0' });
    const limited = await a.send({ idempotencyKey: 'k', channelId: 'ch-reddit', kind: 'reply', text: 'hi', inReplyToExternalId: parent }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(ConnectorError);
    expect(limited).toMatchObject({ retryable: true, retryAfterMs: 42_000 });

    server.failNext('/api/comment', 200, {}, { json: { errors: [['RATELIMIT', 'you are doing that too much. try again in 3 minutes.', 'ratelimit']] } });
    await expect(a.send({ idempotencyKey: 'k', channelId: 'ch-reddit', kind: 'reply', text: 'hi', inReplyToExternalId: parent })).rejects.toMatchObject({ retryable: true, retryAfterMs: 180_000 });

    server.remove(parent);
    await expect(a.send({ idempotencyKey: 'k', channelId: 'ch-reddit', kind: 'reply', text: 'hi', inReplyToExternalId: parent })).rejects.toMatchObject({ retryable: false, platformCode: 'DELETED_COMMENT' });
  });

  it('waits out an exhausted rate-limit window without calling Reddit', async () => {
    const a = makeAdapter(server);
    const { cursor } = await a.poll!(null);
    server.failNext('/message/inbox', 200, { 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '600', 'x-ratelimit-reset': '30' }, { kind: 'Listing', data: { after: null, children: [] } });
    // The inbox answer spends the window, so the subreddit listing in the same poll is not requested.
    const first = await a.poll!(cursor).catch((e: unknown) => e);
    expect(first).toMatchObject({ retryable: true, platformCode: 'ratelimit_exhausted' });
    expect((first as ConnectorError).retryAfterMs).toBeGreaterThan(25_000);
    const calls = server.requests.length;
    await expect(a.poll!(cursor)).rejects.toMatchObject({ platformCode: 'ratelimit_exhausted' });
    expect(server.requests.length).toBe(calls);
  });

  it('reports bad credentials as a permanent error with a clear reason', async () => {
    const a = makeAdapter(server, { ...creds, password: 'wrong' });
    const error = await a.poll!(null).catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable: false });
    expect(String((error as Error).message)).toMatch(/refused the credentials/);
    expect(await a.test!()).toMatchObject({ ok: false });
    expect(await makeAdapter(server).test!()).toEqual({ ok: true, detail: 'signed in as u/acme_support' });
  });
});
