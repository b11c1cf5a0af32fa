import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBlueskyServer } from '../../src/server/connectors/bluesky/fake-server.js';
import { startFakeMastodonServer } from '../../src/server/connectors/mastodon/fake-server.js';
import { createOutgoingUrlPolicy } from '../../src/server/trust/outgoing-urls.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';
import { createTestApp, createUser, tokenFor, type TestApp } from '../support/test-app.js';

const pgAvailable = await isPostgresAvailable();

/** Outgoing URLs an admin configures may not reach private or local addresses unless the allow-list says so. */
describe.each(dialects)('outgoing URL guard on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let strict: TestApp;
  let token: string;
  const addChannel = (platform: string, config: Record<string, unknown>) =>
    strict.http.inject({ method: 'POST', url: '/api/v1/channels', headers: { authorization: `Bearer ${token}` }, payload: { platform, name: `${platform} ${Math.random().toString(36).slice(2, 7)}`, config } });

  beforeAll(async () => {
    if (skip) return;
    strict = await createTestApp(dialect, {}, { PARLEY_ALLOW_PRIVATE_URLS: '' });
    token = await tokenFor(strict, (await createUser(strict, 'admin')).id);
  });
  afterAll(async () => strict?.dispose());

  it.skipIf(skip)('refuses channel URLs and mail hosts that reach loopback, private, link-local or mapped addresses, naming the field', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['x', { baseUrl: 'http://127.0.0.1:9/' }, 'config.baseUrl'],
      ['facebook', { graphBaseUrl: 'http://169.254.169.254/latest/meta-data' }, 'config.graphBaseUrl'],
      ['mastodon', { baseUrl: 'https://[::ffff:10.1.2.3]/' }, 'config.baseUrl'],
      ['rss', { feeds: ['https://blog.example.org/feed', 'http://192.168.1.20/feed.xml'] }, 'config.feeds.1'],
      ['email', { imapHost: '10.0.0.7', address: 'help@acme.test' }, 'config.imapHost'],
      ['x', { streamUrl: 'http://localhost:8080/stream' }, 'config.streamUrl'],
    ];
    for (const [platform, config, field] of cases) {
      const res = await addChannel(platform, config);
      expect(res.statusCode, `${platform} ${JSON.stringify(config)} → ${res.body}`).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toContain(field);
    }
    expect((await strict.services.channels.list()).length).toBe(0);
    const audit = await strict.trust.audit.list({ limit: 50, action: 'channel.create' });
    expect(audit.items).toEqual([]);
  });

  it.skipIf(skip)('accepts public targets, inbound origins and simulated channels', async () => {
    expect((await addChannel('x', { baseUrl: 'https://93.184.216.34/' })).statusCode).toBe(201);
    expect((await addChannel('chat', { allowedOrigins: ['http://127.0.0.1:5173'] })).statusCode).toBe(201);
    expect((await addChannel('mastodon', { instance: 'http://127.0.0.1:3000', simulated: true })).statusCode).toBe(201);
  });

  it.skipIf(skip)('lets the allow-list open chosen private hosts and ranges, and nothing else', async () => {
    const resolve = async (host: string) => (host === 'intranet.acme' ? [{ address: '10.20.0.5', family: 4 }] : host === 'rebind.example' ? [{ address: '93.184.216.34', family: 4 }, { address: '127.0.0.1', family: 4 }] : []);
    const policy = createOutgoingUrlPolicy({ allow: ['10.0.0.0/8', 'feeds.local'], resolve });
    await expect(policy.check('https://intranet.acme/feed', 'url')).resolves.toBeUndefined();
    await expect(policy.check('http://feeds.local/rss', 'url')).resolves.toBeUndefined();
    await expect(policy.check('http://127.0.0.1/', 'url')).rejects.toMatchObject({ code: 'validation_failed', field: 'url' });
    // One private answer among public ones is enough to refuse.
    await expect(policy.check('https://rebind.example/', 'url')).rejects.toMatchObject({ field: 'url' });
    await expect(policy.check('https://user:pw@93.184.216.34/', 'url')).rejects.toMatchObject({ field: 'url' });
    await expect(createOutgoingUrlPolicy({ allow: ['*'], resolve }).check('http://127.0.0.1/', 'url')).resolves.toBeUndefined();
  });
});

/** The app's channels reach instance hosts only through its guard: local fakes work because the allow-list names loopback. */
describe.each(dialects)('instance hosts through the app guard on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;

  it.skipIf(skip)('connects Mastodon and Bluesky channels to local instances the allow-list names, and closes the guard when the app stops', async () => {
    const mastodon = await startFakeMastodonServer({ accessToken: 'tok' });
    const bluesky = await startFakeBlueskyServer({ handle: 'acme.test', appPassword: 'app-pass' });
    // The test app's allow-list is PARLEY_ALLOW_PRIVATE_URLS=127.0.0.1,::1,localhost; the guard itself stays on.
    const app = await createTestApp(dialect);
    try {
      const token = await tokenFor(app, (await createUser(app, 'admin')).id);
      const add = async (platform: string, config: Record<string, unknown>, credentials: Record<string, unknown>) => {
        const res = await app.http.inject({ method: 'POST', url: '/api/v1/channels', headers: { authorization: `Bearer ${token}` }, payload: { platform, name: platform, config, credentials } });
        expect(res.statusCode, res.body).toBe(201);
        return res.json<{ id: string }>().id;
      };
      const m = await add('mastodon', { baseUrl: mastodon.url }, { accessToken: 'tok' });
      const b = await add('bluesky', { pdsUrl: bluesky.url, jetstreamUrl: bluesky.jetstreamUrl }, { identifier: 'acme.test', appPassword: 'app-pass' });
      // Adapters built without the app's guard would fall back to the strict one and be refused on loopback.
      expect(await app.channelRuntime.test(m)).toMatchObject({ ok: true });
      expect(await app.channelRuntime.test(b)).toMatchObject({ ok: true });
      expect(app.outgoingHttp.closed).toBe(false);
      await app.stop();
      expect(app.outgoingHttp.closed).toBe(true);
      // The instance is still up: the request fails because the dispatcher is closed, not for want of a server.
      const failed = await app.outgoingHttp.fetch(`${mastodon.url}/api/v2/instance`).then(() => null, (error: unknown) => error as Error & { cause?: Error });
      expect(failed?.cause?.name ?? failed?.name).toMatch(/^Client(Closed|Destroyed)Error$/);
    } finally {
      await app.dispose().catch(() => undefined);
      await mastodon.close();
      await bluesky.close();
    }
  });
});
