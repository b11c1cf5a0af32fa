import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeBrand, fakeCustomer, fakeXId, v2StreamLine } from '../../src/server/connectors/x/fake-payloads.js';
import { startXFakeServer, type XFakeServer } from '../../src/server/connectors/x/fake-server.js';
import { admin, createTestApp, createUser, envelope, parseEnvelopes, tokenFor, type TestApp } from '../support/test-app.js';

const waitFor = async (what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> => {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const fastBackoff = { networkStartMs: 10, networkCapMs: 50, httpStartMs: 10, httpCapMs: 50, rateLimitStartMs: 10 };

describe('channel runners: streams and polls with saved cursors, pause, health', () => {
  let app: TestApp;
  let fake: XFakeServer;
  let adminToken: string;

  beforeAll(async () => {
    // As X does: posts made while no stream is connected reach only search (and backfill on higher tiers).
    fake = await startXFakeServer({ holdWhileDisconnected: false });
    app = await createTestApp('sqlite', { channelRunners: { reconcileMs: 50, backoffStartMs: 10, backoffCapMs: 200, pollIntervalMs: 50 } });
    adminToken = await tokenFor(app, (await createUser(app, 'admin')).id);
  });

  afterAll(async () => {
    await app.dispose();
    await fake.close();
  });

  const countStored = async (channelId: string, ids: string[]) => (await app.repos.messages.findByExternalIds(channelId, ids)).length;
  const pushPosts = (count: number, label: string): string[] =>
    Array.from({ length: count }, (_, i) => {
      const id = fakeXId();
      fake.pushStreamLine(v2StreamLine({ id, text: `@acme ${label} ${i}: the app crashes on login`, author: fakeCustomer }));
      return id;
    });

  it('streams X posts in, and a forced reconnect (upstream disconnect, then a scheduler restart) loses and duplicates nothing', async () => {
    // The stream rule the brand's listening compiled to; a reconnect searches with it since the saved cursor.
    fake.rules.push({ id: fakeXId(), value: '@acme', tag: 'parley:brand' });
    const channel = await app.services.channels.create(
      { platform: 'x', name: 'X stream', config: { baseUrl: fake.url, accountId: fakeBrand.id, backoff: fastBackoff }, credentials: { bearerToken: fake.bearerToken }, ownAccountIds: [fakeBrand.id] },
      admin,
    );
    app.channelRuntime.runners.start();
    await waitFor('the stream to connect', async () => fake.streamConnections === 1);

    const first = pushPosts(5, 'before');
    await waitFor('the first posts', async () => (await countStored(channel.id, first)) === 5);

    fake.disconnectStreams();
    const during = pushPosts(5, 'during the upstream disconnect');
    await waitFor('the posts sent while disconnected', async () => (await countStored(channel.id, during)) === 5);

    // The scheduler goes down and comes back: the filtered stream does not replay, so posts made while it is down
    // come back through search/recent since the cursor saved with the last ingested post.
    await app.channelRuntime.runners.stop();
    await waitFor('the stream to close', async () => fake.streamConnections === 0);
    const whileStopped = pushPosts(5, 'while the runner restarts');
    app.channelRuntime.runners.start();
    await waitFor('the posts sent while the runner was down', async () => (await countStored(channel.id, whileStopped)) === 5);

    expect(fake.searches.length).toBeGreaterThanOrEqual(2);
    expect((await app.repos.channels.get(channel.id))?.cursor).toBe([...whileStopped].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)).at(-1));
    const all = [...first, ...during, ...whileStopped];
    const stored = await app.repos.messages.findByExternalIds(channel.id, all);
    expect(stored.map((m) => m.externalId).sort()).toEqual([...all].sort());
    expect(await app.store.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('channel_id', '=', channel.id).executeTakeFirstOrThrow()).toMatchObject({ n: 15 });

    const health = (await app.channelRuntime.health()).find((h) => h.channelId === channel.id);
    expect(health).toMatchObject({ mode: 'stream', running: true, connected: true, lastError: null });
    expect(health?.lastEventAt).not.toBeNull();
    const metrics = await app.http.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain(`parley_channel_connected{channel="${channel.id}",platform="x"} 1`);
    expect(metrics.body).toMatch(new RegExp(`parley_channel_lag_seconds\\{channel="${channel.id}",platform="x"\\} [0-9.]+`));

    // Pause stops the runner.
    await app.services.channels.setStatus(channel.id, 'paused', admin);
    await app.channelRuntime.runners.reconcile();
    expect((await app.channelRuntime.health()).find((h) => h.channelId === channel.id)?.running).toBe(false);
    await waitFor('the stream to close', async () => fake.streamConnections === 0);
    await app.services.channels.setStatus(channel.id, 'removed', admin);
  });

  it('refreshes a lapsed X user token through the runtime: the rotated pair is stored sealed and the stream keeps running', async () => {
    const grant = fake.issueUserGrant();
    const channel = await app.services.channels.create(
      {
        platform: 'x',
        name: 'X refreshing',
        config: { baseUrl: fake.url, accountId: fakeBrand.id, backoff: fastBackoff, ingest: 'stream' },
        credentials: { bearerToken: fake.bearerToken, accessToken: grant.accessToken, refreshToken: grant.refreshToken, accessTokenExpiresAt: grant.expiresAt, clientId: 'parley-client', clientSecret: 'parley-client-secret' },
        ownAccountIds: [fakeBrand.id],
      },
      admin,
    );
    await app.channelRuntime.runners.reconcile();
    await waitFor('the stream to connect', async () => fake.streamConnections === 1);
    const connects = fake.streamBackfills.length;

    fake.revokeUserAccessTokens();
    const adapter = await app.channelRuntime.adapterFor(channel.id);
    await adapter!.send({ idempotencyKey: 'refresh-1', channelId: channel.id, kind: 'reply', text: 'Sorry, checking now', inReplyToExternalId: fakeXId() });
    expect(fake.refreshes.at(-1)).toEqual({ refreshToken: grant.refreshToken, ok: true });
    const row = await app.repos.channels.get(channel.id);
    const stored = app.services.channels.credentialsOf(row!);
    expect(stored.refreshToken).not.toBe(grant.refreshToken);
    expect(stored.bearerToken).toBe(fake.bearerToken);
    expect(row!.sealedCredentials).not.toContain(String(stored.refreshToken));
    expect(row!.sealedCredentials).not.toContain(String(stored.accessToken));

    // The adapter's own rotation is not a settings change: the runner keeps its connection.
    await app.channelRuntime.runners.reconcile();
    await app.channelRuntime.runners.reconcile();
    expect(fake.streamBackfills.length).toBe(connects);
    expect((await app.channelRuntime.health()).find((h) => h.channelId === channel.id)).toMatchObject({ running: true, restarts: 0 });

    // Another process (here: a rebuilt adapter) starts from the stored pair; the spent one is never presented again.
    app.channelRuntime.invalidate(channel.id);
    fake.revokeUserAccessTokens();
    await (await app.channelRuntime.adapterFor(channel.id))!.send({ idempotencyKey: 'refresh-2', channelId: channel.id, kind: 'reply', text: 'Fixed, thanks for waiting', inReplyToExternalId: fakeXId() });
    expect(fake.refreshes.at(-1)).toEqual({ refreshToken: stored.refreshToken, ok: true });
    await app.services.channels.setStatus(channel.id, 'removed', admin);
    await app.channelRuntime.runners.reconcile();
    await waitFor('the stream to close', async () => fake.streamConnections === 0);
  });

  it('polls X mentions from the saved cursor, saving it only after ingest, and resumes from it after a restart', async () => {
    const channel = await app.services.channels.create(
      { platform: 'x', name: 'X mentions', config: { baseUrl: fake.url, accountId: fakeBrand.id, pollDms: false, ingest: 'poll' }, credentials: { accessToken: fake.userAccessToken }, ownAccountIds: [fakeBrand.id] },
      admin,
    );
    const mention = (text: string) => {
      const id = fakeXId();
      fake.mentions.push({ tweet: { id, text, author_id: fakeCustomer.id, created_at: new Date().toISOString(), conversation_id: id, edit_history_tweet_ids: [id] }, user: { id: fakeCustomer.id, username: fakeCustomer.username, name: fakeCustomer.name, public_metrics: { followers_count: 10 } } });
      return id;
    };
    const a = mention('@acme is the outage over?');
    await app.channelRuntime.runners.reconcile();
    await waitFor('the first mention', async () => (await countStored(channel.id, [a])) === 1);
    await waitFor('the cursor to be saved', async () => (await app.repos.channels.get(channel.id))?.cursor != null);
    const saved = (await app.repos.channels.get(channel.id))?.cursor ?? '';
    expect(saved).toContain(a);

    await app.channelRuntime.runners.restart(channel.id);
    const b = mention('@acme still no service in Bristol');
    await app.channelRuntime.runners.reconcile();
    await waitFor('the mention made during the restart', async () => (await countStored(channel.id, [b])) === 1);
    expect(await countStored(channel.id, [a, b])).toBe(2);
    expect(fake.mentions.length).toBe(2);
    await app.services.channels.setStatus(channel.id, 'removed', admin);
  });

  it('records a runner failure as the channel\'s last error and shows it in the channel list', async () => {
    const channel = await app.services.channels.create({ platform: 'x', name: 'X wrong token', config: { baseUrl: fake.url, accountId: fakeBrand.id, pollDms: false, ingest: 'poll' }, credentials: { accessToken: 'revoked' } }, admin);
    await app.channelRuntime.runners.reconcile();
    await waitFor('the error to be recorded', async () => (await app.repos.channels.get(channel.id))?.lastError != null);
    const list = await app.http.inject({ method: 'GET', url: '/api/v1/channels', headers: { authorization: `Bearer ${adminToken}` } });
    const row = list.json<{ items: { id: string; health: { lastError: string | null } }[] }>().items.find((c) => c.id === channel.id);
    expect(row?.health.lastError).toMatch(/401|credentials/);
    expect(list.body).not.toContain('revoked');
    await app.services.channels.setStatus(channel.id, 'removed', admin);
  });

  it('checks credentials through the adapter (POST /api/v1/channels/:id/test) and lists health per channel', async () => {
    const good = await app.services.channels.create({ platform: 'x', name: 'X checked', config: { baseUrl: fake.url, ingest: 'webhook' }, credentials: { accessToken: fake.userAccessToken } }, admin);
    const bad = await app.services.channels.create({ platform: 'x', name: 'X bad token', config: { baseUrl: fake.url, ingest: 'webhook' }, credentials: { accessToken: 'expired-token' } }, admin);
    const check = (id: string) => app.http.inject({ method: 'POST', url: `/api/v1/channels/${id}/test`, headers: { authorization: `Bearer ${adminToken}` } });
    const ok = await check(good.id);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ ok: true, detail: `signed in as @${fakeBrand.username}` });
    const failed = await check(bad.id);
    expect(failed.json()).toMatchObject({ ok: false });
    expect(failed.body).not.toContain('expired-token');
    expect((await app.repos.channels.get(bad.id))?.lastError).toMatch(/credential check failed/);
    expect((await check('no-such-channel')).statusCode).toBe(404);

    const health = await app.http.inject({ method: 'GET', url: '/api/v1/channels/health', headers: { authorization: `Bearer ${adminToken}` } });
    expect(health.statusCode).toBe(200);
    const rows = health.json<{ items: { channelId: string; mode: string | null; running: boolean; lastError: string | null }[] }>().items;
    expect(rows.find((r) => r.channelId === good.id)).toMatchObject({ mode: 'webhook', running: false, lastError: null });
    expect(rows.find((r) => r.channelId === bad.id)?.lastError).toMatch(/credential check failed/);
    const agent = await tokenFor(app, (await createUser(app, 'agent')).id);
    expect((await app.http.inject({ method: 'POST', url: `/api/v1/channels/${good.id}/test`, headers: { authorization: `Bearer ${agent}` } })).statusCode).toBe(403);
  });

  it('manages listening rules: positioned query errors, a dry run on recent messages, X stream rules kept in step', async () => {
    const auth = { authorization: `Bearer ${adminToken}` };
    const bad = await app.http.inject({ method: 'POST', url: '/api/v1/listening-rules', headers: auth, payload: { name: 'broken', query: 'acme AND (outage OR' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json()).toMatchObject({ code: 'validation_failed', position: expect.any(Number), errors: [{ field: 'query' }] });

    const x = await app.services.channels.create({ platform: 'x', name: 'X listening', config: { baseUrl: fake.url, ingest: 'webhook' }, credentials: { bearerToken: fake.bearerToken } }, admin);
    const inbox = await app.services.channels.create({ platform: 'email', name: 'Inbox', config: { simulated: true } }, admin);
    const texts = ['zorblat outage in Leeds again', 'zorblat is hiring engineers, outage team', 'love the new zorblat phone', 'total outage, zorblat down'];
    await app.services.ingest(parseEnvelopes(texts.map((text, i) => envelope(inbox.id, { externalId: `listen-${i}-${Date.now()}`, text }))));
    const dry = await app.http.inject({ method: 'POST', url: '/api/v1/listening-rules/test', headers: auth, payload: { query: 'zorblat AND outage -hiring', limit: 10 } });
    expect(dry.statusCode).toBe(200);
    const found = dry.json<{ matchedCount: number; matches: { text: string }[] }>();
    expect(found.matches.map((m) => m.text).sort()).toEqual(['total outage, zorblat down', 'zorblat outage in Leeds again']);

    const created = await app.http.inject({ method: 'POST', url: '/api/v1/listening-rules', headers: auth, payload: { name: 'Outages', query: 'acme AND (outage OR "no signal") -hiring lang:en' } });
    expect(created.statusCode).toBe(201);
    const { rule, xSync } = created.json<{ rule: { id: string }; xSync: { channelId: string; ok: boolean }[] }>();
    expect(xSync).toContainEqual(expect.objectContaining({ channelId: x.id, ok: true }));
    expect(fake.rules.filter((r) => r.tag === `parley:listening:${rule.id}`)).toHaveLength(1);
    expect(await app.listening.queriesFor(x)).toContain('acme AND (outage OR "no signal") -hiring lang:en');

    const removed = await app.http.inject({ method: 'DELETE', url: `/api/v1/listening-rules/${rule.id}`, headers: auth });
    expect(removed.statusCode).toBe(200);
    expect(fake.rules.filter((r) => r.tag.startsWith('parley:listening:'))).toHaveLength(0);
  });
});
