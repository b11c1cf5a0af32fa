import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryCredentialStore } from '../contract/memory-credentials.js';
import { ConnectorError } from '../port.js';
import type { OutboundMessage } from '../port.js';
import { fakeBrand, fakeXId } from './fake-payloads.js';
import { startXFakeServer } from './fake-server.js';
import type { XFakeServer } from './fake-server.js';
import { createXAdapter } from './x.connector.js';

let fake: XFakeServer | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

let n = 0;
const reply = (): OutboundMessage => {
  n += 1;
  return { idempotencyKey: `k${n}`, channelId: 'ch-x', kind: 'reply', text: `we are on it (${n})`, inReplyToExternalId: fakeXId() };
};

/** Short-lived user tokens, as X's but in seconds: long enough that a busy machine does not let one lapse between two
 * steps that expect it alive, short enough that a test can wait it out. */
const ttlMs = 3000;
const lapse = () => new Promise((r) => setTimeout(r, ttlMs + 50));

async function setup(ttlMs: number) {
  fake = await startXFakeServer({ accessTokenTtlMs: ttlMs });
  const grant = fake.issueUserGrant();
  const store = createMemoryCredentialStore({
    accessToken: grant.accessToken,
    refreshToken: grant.refreshToken,
    accessTokenExpiresAt: grant.expiresAt,
    clientId: 'parley-client',
    clientSecret: 'parley-client-secret',
  });
  const build = () =>
    createXAdapter({ id: 'ch-x', platform: 'x', config: { baseUrl: fake!.url, accountId: fakeBrand.id, tokenRefreshSkewMs: 20 }, credentials: store.current, ownAccountIds: [], credentialStore: store });
  return { fake, grant, store, build };
}

describe('X OAuth 2.0 user tokens', () => {
  it('refreshes an expired access token before sending, persists the rotated refresh token, and a restart uses it', async () => {
    const { fake, grant, store, build } = await setup(ttlMs);
    const adapter = build();
    await adapter.send(reply());
    expect(fake.refreshes).toEqual([]);
    await lapse();
    // The token has lapsed: the send still goes out, on a refreshed token.
    await adapter.send(reply());
    expect(fake.tweets).toHaveLength(2);
    expect(fake.refreshes).toEqual([{ refreshToken: grant.refreshToken, ok: true }]);
    expect(store.saves).toHaveLength(1);
    const saved = store.current;
    expect(saved.refreshToken).not.toBe(grant.refreshToken);
    expect(saved.accessToken).not.toBe(grant.accessToken);
    expect(saved.accessTokenExpiresAt as number).toBeGreaterThan(Date.now());

    // A restarted adapter starts from the stored pair; the old refresh token is dead at X.
    await lapse();
    await build().send(reply());
    expect(fake.refreshes.map((r) => r.ok)).toEqual([true, true]);
    expect(fake.refreshes[1]?.refreshToken).toBe(saved.refreshToken);
  });

  it('refreshes once and retries when X answers 401 before the stated expiry, sharing one refresh between concurrent sends', async () => {
    const { fake, build } = await setup(60_000);
    const adapter = build();
    await adapter.send(reply());
    fake.revokeUserAccessTokens();
    await Promise.all([adapter.send(reply()), adapter.send(reply()), adapter.send(reply())]);
    expect(fake.tweets).toHaveLength(4);
    expect(fake.refreshes).toHaveLength(1);
  });

  it('adopts a pair another process already rotated instead of failing on the spent refresh token', async () => {
    const { fake, grant, store, build } = await setup(ttlMs);
    const adapter = build();
    await lapse();
    // Another worker refreshed first and stored the new pair.
    const other = createXAdapter({ id: 'ch-x', platform: 'x', config: { baseUrl: fake.url, accountId: fakeBrand.id, tokenRefreshSkewMs: 20 }, credentials: store.current, ownAccountIds: [], credentialStore: store });
    await other.send(reply());
    await adapter.send(reply());
    expect(fake.refreshes).toEqual([
      { refreshToken: grant.refreshToken, ok: true },
      { refreshToken: grant.refreshToken, ok: false },
    ]);
    expect(fake.tweets).toHaveLength(2);
  });

  it('turns a refused refresh into a permanent error that asks for reauthorization and carries no token', async () => {
    const { fake, grant, build } = await setup(100);
    fake.failNext('/2/oauth2/token', { status: 400, body: { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' } });
    await new Promise((r) => setTimeout(r, 150));
    const error = await build().send(reply()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).retryable).toBe(false);
    expect((error as ConnectorError).message).toMatch(/reauthorize/);
    expect((error as ConnectorError).message).not.toContain(grant.refreshToken);
    expect((error as ConnectorError).message).not.toContain(grant.accessToken);
  });
});

describe('X pacing by rate-limit headers', () => {
  it('stops calling an endpoint whose window X reported as used up, with the reset as retry-after', async () => {
    fake = await startXFakeServer({ postsPerWindow: 2 });
    const adapter = createXAdapter({ id: 'ch-x', platform: 'x', config: { baseUrl: fake.url, accountId: fakeBrand.id }, credentials: { accessToken: fake.userAccessToken }, ownAccountIds: [] });
    await adapter.send(reply());
    await adapter.send(reply());
    const error = await adapter.send(reply()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).retryable).toBe(true);
    expect((error as ConnectorError).retryAfterMs).toBeGreaterThan(800_000);
    // The third call never left: no request spent on a certain 429.
    expect(fake.postCalls).toBe(2);
    // Other endpoints have their own windows.
    await adapter.send({ idempotencyKey: 'dm', channelId: 'ch-x', kind: 'dm', text: 'details here', recipient: { platformId: '42' } });
    expect(fake.dms).toHaveLength(1);
  });
});
