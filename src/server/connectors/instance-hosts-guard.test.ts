import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createGuardedHttp, type GuardedHttp } from '../platform/guarded-http.js';
import type { Resolver } from '../platform/ssrf.js';
import { createBlueskyAdapter } from './bluesky/bluesky.connector.js';
import { startFakeBlueskyServer, type FakeBlueskyServer } from './bluesky/fake-server.js';
import { startFakeMastodonServer, type FakeMastodonServer } from './mastodon/fake-server.js';
import { createMastodonAdapter } from './mastodon/mastodon.connector.js';
import type { AdapterContext, StreamSink } from './port.js';

// Public-looking instance names that DNS (the injected resolver) now answers with loopback: a rebinding after the
// admin saved the channel, when the save-time check saw a public address.
const rebinding: Resolver = async (host) => (host.endsWith('.example') ? [{ address: '127.0.0.1', family: 4 }] : []);

const guards: GuardedHttp[] = [];
const contextOf = (allow: string[]): AdapterContext => {
  const guard = createGuardedHttp({ allow, resolve: rebinding });
  guards.push(guard);
  return { fetch: guard.fetch, socketOptions: guard.socketOptions };
};
afterAll(async () => {
  for (const g of guards) await g.close();
});

const collectingSink = () => {
  const delivered: unknown[] = [];
  const sink: StreamSink = { deliver: async (envelopes) => void delivered.push(...envelopes), health: () => undefined };
  return { sink, delivered };
};

const permanentRefusal = { retryable: false, platformCode: 'private_address' };

/** Mastodon and Bluesky instance hosts are checked when they connect, not only when the channel is saved. */
describe('instance-hosted platforms behind the private-address guard', () => {
  let mastodon: FakeMastodonServer | null = null;
  let bluesky: FakeBlueskyServer | null = null;
  afterEach(async () => {
    await mastodon?.close();
    await bluesky?.close();
    mastodon = bluesky = null;
  });

  const mastodonAdapter = (server: FakeMastodonServer, context: AdapterContext, config: Record<string, unknown> = {}) =>
    createMastodonAdapter({ id: 'ch-m', platform: 'mastodon', config: { baseUrl: server.url.replace('127.0.0.1', 'social.example'), reconnectBaseMs: 20, ...config }, credentials: { accessToken: 'tok' }, ownAccountIds: [] }, context);

  it('refuses a Mastodon instance whose name now resolves to a private address, permanently, for polls and sends', async () => {
    mastodon = await startFakeMastodonServer({ accessToken: 'tok' });
    mastodon.mention({ acct: 'ann@x.social', text: 'help' });
    const adapter = mastodonAdapter(mastodon, contextOf([]));
    await expect(adapter.poll!(null)).rejects.toMatchObject(permanentRefusal);
    await expect(adapter.send({ idempotencyKey: 'k1', channelId: 'ch-m', kind: 'reply', text: 'hello', inReplyToExternalId: '1' })).rejects.toMatchObject(permanentRefusal);
    // The allow-list, not a switch, is what lets a local instance in.
    const allowed = mastodonAdapter(mastodon, contextOf(['127.0.0.1']));
    expect((await allowed.poll!(null)).envelopes.map((e) => e.text)).toEqual([expect.stringContaining('help')]);
  });

  it('refuses the streaming host an instance names when it is private, and stops instead of reconnecting', async () => {
    mastodon = await startFakeMastodonServer({ accessToken: 'tok' });
    // The instance itself is allowed by name; the streaming URL it advertises is ws://127.0.0.1:<port>.
    const adapter = mastodonAdapter(mastodon, contextOf(['social.example']));
    const out = collectingSink();
    await expect(adapter.stream!(out.sink, null, new AbortController().signal)).rejects.toMatchObject(permanentRefusal);
    const configured = mastodonAdapter(mastodon, contextOf(['social.example']), { streamingUrl: mastodon.url.replace('http://127.0.0.1', 'ws://stream.example') });
    await expect(configured.stream!(collectingSink().sink, null, new AbortController().signal)).rejects.toMatchObject(permanentRefusal);
  });

  const blueskyAdapter = (server: FakeBlueskyServer, context: AdapterContext, config: Record<string, unknown> = {}) =>
    createBlueskyAdapter({
      id: 'ch-b', platform: 'bluesky',
      config: { pdsUrl: server.url.replace('127.0.0.1', 'pds.example'), jetstreamUrl: server.jetstreamUrl.replace('127.0.0.1', 'jet.example'), brandDid: 'did:plc:acme', reconnectBaseMs: 20, flushMs: 20, ...config },
      credentials: { identifier: 'acme.test', appPassword: 'app-pass' }, ownAccountIds: [],
    }, context);

  it('refuses a Bluesky PDS that resolves to a private address before any XRPC call reaches it', async () => {
    bluesky = await startFakeBlueskyServer({ handle: 'acme.test', appPassword: 'app-pass' });
    const adapter = blueskyAdapter(bluesky, contextOf([]));
    const tested = await adapter.test!();
    expect(tested.ok).toBe(false);
    expect(tested.detail).toMatch(/private or local address/);
    await expect(adapter.send({ idempotencyKey: 'k1', channelId: 'ch-b', kind: 'reply', text: 'hello', inReplyToExternalId: 'at://did:plc:ann/app.bsky.feed.post/1' })).rejects.toMatchObject(permanentRefusal);
    expect(bluesky.calls).toEqual([]);
    const allowed = blueskyAdapter(bluesky, contextOf(['127.0.0.1']));
    expect(await allowed.test!()).toMatchObject({ ok: true });
    expect(bluesky.calls).toContain('com.atproto.server.createSession');
  });

  it('refuses a Jetstream host on a private address and stops instead of reconnecting', async () => {
    bluesky = await startFakeBlueskyServer({ handle: 'acme.test', appPassword: 'app-pass' });
    const byName = blueskyAdapter(bluesky, contextOf([]));
    await expect(byName.stream!(collectingSink().sink, null, new AbortController().signal)).rejects.toMatchObject(permanentRefusal);
    const literal = blueskyAdapter(bluesky, contextOf(['jet.example']), { jetstreamUrl: bluesky.jetstreamUrl });
    await expect(literal.stream!(collectingSink().sink, null, new AbortController().signal)).rejects.toMatchObject(permanentRefusal);
  });
});
