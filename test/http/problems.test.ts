import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannel, createTestApp, createUser, envelope, tokenFor, type TestApp } from '../support/test-app.js';

describe('bad input gets problem+json naming the field, and nothing half-written', () => {
  let app: TestApp;
  let auth: { authorization: string };
  let channelId: string;
  beforeAll(async () => {
    app = await createTestApp('sqlite');
    auth = { authorization: `Bearer ${await tokenFor(app, (await createUser(app, 'admin')).id)}` };
    channelId = (await createChannel(app)).id;
    await app.http.ready();
  });
  afterAll(async () => app.dispose());

  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    app.http.inject({ method: 'POST', url: '/api/v1/messages', headers: { ...auth, ...headers }, payload: payload as string });

  it('names a wrong type deep in the batch', async () => {
    const bad = { ...envelope(channelId), author: { platformId: 42 } };
    const res = await post({ envelopes: [envelope(channelId), bad] });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const body = res.json();
    expect(body).toMatchObject({ status: 400, code: 'validation_failed', title: 'Bad Request' });
    expect(body.errors[0].field).toBe('body.envelopes[1].author.platformId');
    expect((await app.repos.messages.countByStage()).ingested ?? 0).toBe(0);
  });

  it('refuses unknown fields', async () => {
    const res = await post({ envelopes: [{ ...envelope(channelId), colour: 'red' }] });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json().errors)).toContain('colour');
  });

  it('refuses malformed JSON, wrong media types, empty and oversized batches as 4xx', async () => {
    expect((await post('{"envelopes": [', { 'content-type': 'application/json' })).statusCode).toBe(400);
    expect((await post('hello', { 'content-type': 'text/plain' })).statusCode).toBe(415);
    expect((await post({ envelopes: [] })).statusCode).toBe(400);
    const many = Array.from({ length: 1001 }, () => envelope(channelId));
    const res = await post({ envelopes: many });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('body.envelopes');
  });

  it('names the channel of an envelope for an unknown channel (422-class, not 500) and stores nothing', async () => {
    const res = await post({ envelopes: [envelope(channelId), envelope('ghost')] });
    expect(res.statusCode).toBe(404);
    expect(res.json().errors[0].field).toBe('envelopes[1].channelId');
    expect((await app.repos.messages.countByStage()).ingested ?? 0).toBe(0);
  });

  it('acknowledges duplicates and ignores them', async () => {
    const e = envelope(channelId);
    expect((await post({ envelopes: [e] })).json()).toMatchObject({ accepted: 1, duplicates: 0 });
    expect((await post({ envelopes: [e] })).json()).toMatchObject({ accepted: 0, duplicates: 1 });
  });

  it('answers unknown routes and ids with problem+json', async () => {
    const route = await app.http.inject({ method: 'GET', url: '/api/v1/nothing', headers: auth });
    expect(route.statusCode).toBe(404);
    expect(route.json().code).toBe('not_found');
    const conv = await app.http.inject({ method: 'GET', url: '/api/v1/conversations/nope', headers: auth });
    expect(conv.statusCode).toBe(404);
    expect(conv.json().code).toBe('conversation_not_found');
  });

  it('serves OpenAPI 3.1 generated from the route schemas', async () => {
    const res = await app.http.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/messages', '/api/v1/conversations', '/api/v1/conversations/{id}/reply']));
    expect((await app.http.inject({ method: 'GET', url: '/docs/' })).statusCode).toBe(200);
  });

  it('exposes health, readiness and Prometheus metrics', async () => {
    expect((await app.http.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await app.http.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const metrics = await app.http.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('parley_ingested_messages_total');
    expect(metrics.body).toContain('parley_queue_depth');
    expect(metrics.body).toContain('parley_outbox_items');
  });
});
