import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredRoutes } from '../../src/server/http/auth.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';
import { createChannel, createTestApp, createUser, envelope, parseEnvelopes, tokenFor, type TestApp } from '../support/test-app.js';

const pgAvailable = await isPostgresAvailable();

describe.each(dialects)('public page hardening and erasure on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  let channelId: string;
  let agentToken: string;
  let adminToken: string;

  const ingest = async (over: Parameters<typeof envelope>[1]) => {
    const e = envelope(channelId, over);
    await app.services.ingest(parseEnvelopes([e]));
    await app.worker.drain();
    return (await app.repos.messages.findByExternalIds(channelId, [e.externalId]))[0]!;
  };

  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect);
    channelId = (await createChannel(app, 'x')).id;
    agentToken = await tokenFor(app, (await createUser(app, 'agent', { status: 'online' })).id);
    adminToken = await tokenFor(app, (await createUser(app, 'admin')).id);
  });
  afterAll(async () => app?.dispose());

  it.skipIf(skip)('serves public pages with a strict policy, a small form body limit and per-client rate limits', async () => {
    const page = await app.http.inject({ method: 'GET', url: '/p/verify', remoteAddress: '203.0.113.7' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).not.toContain('<script');

    const post = await ingest({ threadKey: 'hard', text: 'help with my plan' });
    const link = await app.http.inject({ method: 'POST', url: `/api/v1/conversations/${post.conversationId}/private-link`, headers: { authorization: `Bearer ${agentToken}` } });
    const path = new URL(link.json<{ url: string }>().url).pathname;
    const huge = await app.http.inject({ method: 'POST', url: `${path}/email`, remoteAddress: '203.0.113.8', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `email=${'a'.repeat(20_000)}` });
    expect(huge.statusCode).toBe(413);

    // Five code requests per client per ten minutes; a different client is not affected.
    const codes: number[] = [];
    for (let i = 0; i < 6; i += 1) codes.push((await app.http.inject({ method: 'POST', url: `${path}/email`, remoteAddress: '203.0.113.9', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'choice=not-a-held-address' })).statusCode);
    expect(codes.slice(0, 5).every((c) => c === 200)).toBe(true);
    expect(codes[5]).toBe(429);
    expect((await app.http.inject({ method: 'POST', url: `${path}/email`, remoteAddress: '203.0.113.10', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'choice=not-a-held-address' })).statusCode).toBe(200);

    // The verify page answers thirty lookups a minute per client: guessing codes does not scale.
    let last = 0;
    for (let i = 0; i < 31; i += 1) last = (await app.http.inject({ method: 'GET', url: `/p/verify?code=ABCD${String(i).padStart(4, '0')}`, remoteAddress: '203.0.113.11' })).statusCode;
    expect(last).toBe(429);
  });

  it.skipIf(skip)('rate limits every public page under /p/ per client', async () => {
    const pages = declaredRoutes(app.http).filter((r) => r.auth === 'public' && r.url.startsWith('/p/') && r.method === 'GET');
    expect(pages.length).toBeGreaterThan(2);
    for (const [i, route] of pages.entries()) {
      const url = route.url.replace(/:(\w+)/g, 'probe$1');
      let limited = false;
      for (let n = 0; n < 400 && !limited; n += 1) limited = (await app.http.inject({ method: 'GET', url, remoteAddress: `198.51.100.${i + 1}` })).statusCode === 429;
      expect(limited, `${route.url} has no rate limit`).toBe(true);
    }
  });

  it.skipIf(skip)('gives the SPA a CSP with no inline script or style, and only the bundled API docs inline styles', async () => {
    const spa = await app.http.inject({ method: 'GET', url: '/api/v1/auth/session' });
    const csp = String(spa.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(/style-src 'self'(;|$)/);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(spa.headers['x-content-type-options']).toBe('nosniff');
    expect(spa.headers['strict-transport-security']).toBeDefined();
    const docs = await app.http.inject({ method: 'GET', url: '/docs/' });
    expect(String(docs.headers['content-security-policy'])).toContain("style-src 'self' 'unsafe-inline'");
    expect(String(docs.headers['content-security-policy'])).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it.skipIf(skip)('rate limits every public form and API under /p/ per client, whatever its answer to a bad request', async () => {
    const posts = declaredRoutes(app.http).filter((r) => r.auth === 'public' && r.url.startsWith('/p/') && r.method === 'POST');
    expect(posts.map((r) => r.url)).toEqual(expect.arrayContaining(['/p/private/:token/email', '/p/private/:token/code', '/p/private/:token/dm', '/p/private/:token/message']));
    for (const [i, route] of posts.entries()) {
      const url = route.url.replace(/:(\w+)/g, 'probe$1');
      let limited = false;
      for (let n = 0; n < 400 && !limited; n += 1) limited = (await app.http.inject({ method: 'POST', url, remoteAddress: `198.51.101.${i + 1}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })).statusCode === 429;
      expect(limited, `POST ${route.url} has no rate limit`).toBe(true);
    }
  });

  it.skipIf(skip)('erasure also clears delivered send payloads and label-correction copies of the customer\'s words', async () => {
    const post = await ingest({ threadKey: 'erase', author: { platformId: 'x-erase', handle: 'erin_w', displayName: 'Erin W', followers: 3, verified: false }, text: 'my router is broken again' });
    const reply = await app.http.inject({ method: 'POST', url: `/api/v1/conversations/${post.conversationId}/reply`, headers: { authorization: `Bearer ${agentToken}` }, payload: { text: 'Sorry Erin, a new router is on its way.' } });
    expect(reply.statusCode).toBe(202);
    await app.store.db.updateTable('outbox').set({ status: 'sent' }).where('id', '=', reply.json().outboxId).execute();
    await app.store.db.insertInto('label_corrections' as never).values({ id: 'lc-erase', message_id: post.id, field: 'intent', previous: null, value: 'hardware', text: post.text, model_version: null, user_id: 'u1', created_at: Date.now() } as never).execute();

    const customerId = (await app.repos.conversations.get(post.conversationId!))!.customerId!;
    const erased = await app.http.inject({ method: 'POST', url: `/api/v1/customers/${customerId}/erase`, headers: { authorization: `Bearer ${adminToken}` } });
    expect(erased.statusCode, erased.body).toBe(200);
    const sent = await app.store.db.selectFrom('outbox').select('payload').where('id', '=', reply.json().outboxId).executeTakeFirstOrThrow();
    expect(sent.payload).not.toContain('erin');
    expect(sent.payload).not.toContain('new router');
    const correction = await app.store.db.selectFrom('label_corrections' as never).select('text' as never).where('id' as never, '=', 'lc-erase' as never).executeTakeFirstOrThrow() as { text: string };
    expect(correction.text).toBe('');
    expect((await app.trust.audit.verify()).ok).toBe(true);
  });
});
