import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Envelope } from '../../../shared/envelope.js';
import { envelopeSchema } from '../../../shared/envelope.js';
import type { ChannelAdapter, Cursor, Deletion, StreamSink } from '../port.js';
import { createBlueskyAdapter } from './bluesky.connector.js';
import { startFakeBlueskyServer } from './fake-server.js';
import type { FakeBlueskyServer } from './fake-server.js';
import { mapJetstreamEvent } from './map.js';
import { createMemoryCredentialStore } from '../contract/memory-credentials.js';
import { loopbackContext } from '../contract/loopback-guard.js';

const brand = 'did:plc:acme';
const docEvent = {
  did: 'did:plc:eygmaihciaxprqvxpfvl6flk', time_us: 1725911162329308, kind: 'commit',
  commit: {
    rev: '3l3qo2vutsw2b', operation: 'create', collection: 'app.bsky.feed.post', rkey: '3l3qo2vuowo2b', cid: 'bafyreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a',
    record: {
      $type: 'app.bsky.feed.post', text: '@acme.com help!', createdAt: '2024-09-09T19:46:02.102Z', langs: ['en'],
      reply: { root: { uri: 'at://did:plc:x/app.bsky.feed.post/3root', cid: 'bafy1' }, parent: { uri: 'at://did:plc:y/app.bsky.feed.post/3parent', cid: 'bafy2' } },
      facets: [{ index: { byteStart: 0, byteEnd: 9 }, features: [{ $type: 'app.bsky.richtext.facet#mention', did: brand }] }],
    },
  },
};

describe('mapJetstreamEvent', () => {
  it('maps a mention of the brand DID to a reply envelope keyed by its AT-URI', () => {
    const mapped = mapJetstreamEvent(docEvent, 'ch', { brandDid: brand });
    expect(mapped.type).toBe('envelope');
    if (mapped.type !== 'envelope') return;
    const e = envelopeSchema.parse(mapped.envelope);
    expect(e).toMatchObject({
      externalId: 'at://did:plc:eygmaihciaxprqvxpfvl6flk/app.bsky.feed.post/3l3qo2vuowo2b', kind: 'reply', inReplyTo: 'at://did:plc:y/app.bsky.feed.post/3parent',
      threadKey: 'at://did:plc:x/app.bsky.feed.post/3root', listening: false, createdAt: '2024-09-09T19:46:02.102Z', author: { platformId: 'did:plc:eygmaihciaxprqvxpfvl6flk' },
    });
  });
  it('skips unrelated posts and our own commits, flags listening matches, turns deletes into deletions', () => {
    const plain = { ...docEvent, commit: { ...docEvent.commit, record: { text: 'nice weather', createdAt: '2024-09-09T19:46:02.102Z' } } };
    expect(mapJetstreamEvent(plain, 'ch', { brandDid: brand }).type).toBe('skip');
    expect(mapJetstreamEvent({ ...docEvent, did: brand }, 'ch', { brandDid: brand }).type).toBe('skip');
    const heard = mapJetstreamEvent({ ...plain, commit: { ...plain.commit, record: { text: 'acme checkout is down again', createdAt: '2024-09-09T19:46:02.102Z' } } }, 'ch', { brandDid: brand, matchesListening: (m) => m.text.includes('acme') });
    expect(heard.type === 'envelope' && heard.envelope.listening).toBe(true);
    const deleted = mapJetstreamEvent({ did: 'did:plc:z', time_us: 5, kind: 'commit', commit: { rev: 'r', operation: 'delete', collection: 'app.bsky.feed.post', rkey: 'k' } }, 'ch', { brandDid: brand });
    expect(deleted).toEqual({ type: 'deletion', timeUs: 5, deletion: { channelId: 'ch', externalId: 'at://did:plc:z/app.bsky.feed.post/k' } });
  });
});

function collectingSink() {
  const envelopes: Envelope[] = [];
  const deletions: Deletion[] = [];
  let cursor: Cursor = null;
  const sink: StreamSink = {
    async deliver(e, d, c) {
      envelopes.push(...e);
      deletions.push(...d);
      cursor = c;
    },
    health: () => undefined,
  };
  return { sink, envelopes, deletions, cursor: () => cursor };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Bluesky adapter against the fake PDS and Jetstream', () => {
  let server: FakeBlueskyServer;
  let adapter: ChannelAdapter;
  const make = (password = 'app-pass-1234') =>
    createBlueskyAdapter({
      id: 'ch-b', platform: 'bluesky',
      config: { pdsUrl: server.url, jetstreamUrl: server.jetstreamUrl, brandHandle: 'acme.test', listeningKeywords: ['acmepay'], reconnectBaseMs: 50, flushMs: 20 },
      credentials: { identifier: 'acme.test', appPassword: password }, ownAccountIds: [],
    }, loopbackContext);
  beforeEach(async () => {
    server = await startFakeBlueskyServer({ handle: 'acme.test', appPassword: 'app-pass-1234' });
    adapter = make();
  });
  afterEach(async () => {
    await server.close();
  });

  it('follows the firehose across a forced reconnect with a rewound cursor: nothing lost, nothing repeated', async () => {
    const out = collectingSink();
    const stop = new AbortController();
    const running = adapter.stream!(out.sink, null, stop.signal);
    await until(() => server.streamCount() === 1, 'connect');
    const a = server.post({ did: 'did:plc:ann', text: '@acme.test where is my parcel', mention: true });
    server.noise(10);
    const b = server.post({ did: 'did:plc:bob', text: 'acmepay charged me twice' });
    await until(() => out.envelopes.length === 2, 'first two');
    server.dropStreams();
    await until(() => server.streamCount() === 0, 'drop');
    const c = server.post({ did: 'did:plc:cy', text: 'hello @acme.test, still waiting' });
    server.edit(a, '@acme.test where is my parcel?? (edited)');
    server.remove(b);
    await until(() => server.streamCount() === 1, 'reconnect');
    const d = server.post({ did: 'did:plc:dee', text: '@acme.test same here', replyTo: a });
    await until(() => out.envelopes.length >= 5 && out.deletions.length === 1, 'the rest');
    stop.abort();
    await running;
    expect(out.envelopes.filter((e) => !e.editedAt).map((e) => e.externalId)).toEqual([a, b, c, d]);
    expect(out.envelopes.find((e) => e.externalId === b)?.listening).toBe(true);
    expect(out.envelopes.find((e) => e.editedAt)).toMatchObject({ externalId: a, text: '@acme.test where is my parcel?? (edited)' });
    expect(out.envelopes.find((e) => e.externalId === d)).toMatchObject({ kind: 'reply', inReplyTo: a, threadKey: a });
    expect(out.deletions).toEqual([{ channelId: 'ch-b', externalId: b }]);
    expect(Number(out.cursor())).toBeGreaterThan(0);
    for (const e of out.envelopes) envelopeSchema.parse(e);

    // A new adapter resuming from the saved cursor replays the rewind window but delivers nothing twice.
    const again = collectingSink();
    const stop2 = new AbortController();
    const resumed = make().stream!(again.sink, out.cursor(), stop2.signal);
    await until(() => server.streamCount() === 1, 'resume');
    const e = server.post({ did: 'did:plc:eve', text: '@acme.test me too', mention: true });
    await until(() => again.envelopes.length >= 1, 'after resume');
    stop2.abort();
    await resumed;
    expect(again.envelopes.map((x) => x.externalId)).toEqual([e]);
  });

  it('replies with correct root and parent strong refs, survives an expired token, and skips its own echo', async () => {
    const root = server.post({ did: 'did:plc:ann', text: '@acme.test broken', mention: true });
    const child = server.post({ did: 'did:plc:ann', text: 'more details', replyTo: root });
    server.expireAccessOnce();
    await adapter.send({ idempotencyKey: 'warm', channelId: 'ch-b', kind: 'reply', text: 'first', inReplyToExternalId: root });
    server.expireAccessOnce();
    const sent = await adapter.send({ idempotencyKey: 'k', channelId: 'ch-b', kind: 'reply', text: 'Hi @ann.test, fixing it now', inReplyToExternalId: child, recipient: { platformId: 'did:plc:ann', handle: 'ann.test' } });
    expect(sent.platformMessageId).toMatch(/^at:\/\/did:plc:acmebrand0000000000000\/app\.bsky\.feed\.post\//);
    const record = server.created[1]!.record as { reply: { root: { uri: string; cid: string }; parent: { uri: string; cid: string } }; facets: { features: { did: string }[] }[] };
    expect(record.reply.root.uri).toBe(root);
    expect(record.reply.parent.uri).toBe(child);
    expect(record.reply.root.cid).toMatch(/^bafyrei/);
    expect(record.reply.parent.cid).not.toBe(record.reply.root.cid);
    expect(record.facets[0]?.features[0]?.did).toBe('did:plc:ann');
    expect(server.calls.filter((c) => c === 'com.atproto.server.createSession')).toHaveLength(1);
    expect(server.calls).toContain('com.atproto.server.refreshSession');

    const out = collectingSink();
    const stop = new AbortController();
    const running = adapter.stream!(out.sink, '1', stop.signal);
    const marker = await (async () => {
      await until(() => server.streamCount() === 1, 'connect');
      return server.post({ did: 'did:plc:zed', text: '@acme.test marker', mention: true });
    })();
    await until(() => out.envelopes.some((e) => e.externalId === marker), 'marker');
    stop.abort();
    await running;
    expect(out.envelopes.map((e) => e.externalId)).not.toContain(sent.platformMessageId);
  });

  it('persists its session (sealed with the credentials), refreshes it on ExpiredToken and resumes it after a restart without logging in again', async () => {
    const store = createMemoryCredentialStore({ identifier: 'acme.test', appPassword: 'app-pass-1234' });
    const build = () =>
      createBlueskyAdapter({
        id: 'ch-b', platform: 'bluesky',
        config: { pdsUrl: server.url, jetstreamUrl: server.jetstreamUrl, brandHandle: 'acme.test' },
        credentials: store.current, ownAccountIds: [], credentialStore: store,
      }, loopbackContext);
    const root = server.post({ did: 'did:plc:ann', text: '@acme.test broken', mention: true });
    const first = build();
    await first.send({ idempotencyKey: 's1', channelId: 'ch-b', kind: 'reply', text: 'looking', inReplyToExternalId: root });
    const logins = () => server.calls.filter((c) => c === 'com.atproto.server.createSession').length;
    expect(logins()).toBe(1);
    const created = store.current.session as { refreshJwt: string; accessJwt: string; did: string };
    expect(created).toMatchObject({ did: server.brandDid, refreshJwt: expect.any(String), accessJwt: expect.any(String) });

    // The access JWT lapses: the PDS answers 400 ExpiredToken, the agent refreshes, and the rotated pair is stored.
    server.expireAccessOnce();
    await first.send({ idempotencyKey: 's2', channelId: 'ch-b', kind: 'reply', text: 'still looking', inReplyToExternalId: root });
    expect(server.calls).toContain('com.atproto.server.refreshSession');
    const refreshed = store.current.session as { refreshJwt: string };
    expect(refreshed.refreshJwt).not.toBe(created.refreshJwt);

    // A restart resumes the stored session: no createSession (30 per 5 minutes) on the way.
    const restarted = build();
    await restarted.send({ idempotencyKey: 's3', channelId: 'ch-b', kind: 'reply', text: 'fixed now', inReplyToExternalId: root });
    expect(logins()).toBe(1);
    expect(server.created.map((c) => c.record.text)).toEqual(['looking', 'still looking', 'fixed now']);

    // An expired stored session is refreshed on resume; a revoked one falls back to one login.
    server.expireAccessOnce();
    const again = build();
    expect((await again.test!()).ok).toBe(true);
    expect(logins()).toBe(1);
  });

  it('sends DMs through the chat proxy', async () => {
    const result = await adapter.send({ idempotencyKey: 'd', channelId: 'ch-b', kind: 'dm', text: 'details in private', recipient: { platformId: 'did:plc:ann0000000000' } });
    expect(result.platformMessageId).toMatch(/^convo-/);
    expect(server.chatMessages).toEqual([{ convoId: expect.stringMatching(/^convo-/), text: 'details in private', proxy: 'did:web:api.bsky.chat#bsky_chat' }]);
  });

  it('maps 429 to a retryable error with the ratelimit-reset delay, and a bad app password to a permanent one', async () => {
    const root = server.post({ did: 'did:plc:ann', text: '@acme.test hi', mention: true });
    const reset = Math.floor(Date.now() / 1000) + 90;
    server.failNext('com.atproto.repo.createRecord', 429, { 'ratelimit-limit': '5000', 'ratelimit-remaining': '0', 'ratelimit-reset': String(reset), 'ratelimit-policy': '5000;w=3600' });
    const limited = await adapter.send({ idempotencyKey: 'k', channelId: 'ch-b', kind: 'reply', text: 'hello', inReplyToExternalId: root }).catch((e: unknown) => e);
    expect(limited).toMatchObject({ retryable: true });
    expect((limited as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(85_000);
    const bad = make('nope');
    await expect(bad.send({ idempotencyKey: 'k', channelId: 'ch-b', kind: 'reply', text: 'hello', inReplyToExternalId: root })).rejects.toMatchObject({ retryable: false, message: expect.stringMatching(/app password/) });
    await expect(adapter.send({ idempotencyKey: 'k', channelId: 'ch-b', kind: 'reply', text: 'x'.repeat(301), inReplyToExternalId: root })).rejects.toMatchObject({ retryable: false, platformCode: 'too_long' });
  });
});
