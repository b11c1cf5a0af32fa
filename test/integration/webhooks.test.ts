import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { facebookFeedComment, metaMessagingEvent } from '../../src/server/connectors/meta/fake-payloads.js';
import { aaaTweetCreate, aaaTweetDelete, fakeBrand, fakeCustomer, fakeXId } from '../../src/server/connectors/x/fake-payloads.js';
import { startXFakeServer, type XFakeServer } from '../../src/server/connectors/x/fake-server.js';
import { createManualClock } from '../../src/server/platform/clock.js';
import { admin, createTestApp, createUser, tokenFor, type TestApp } from '../support/test-app.js';

const appSecret = 'meta-app-secret';
const metaSignature = (raw: Buffer) => `sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}`;

describe('platform webhooks and outbound delivery through the channel adapters', () => {
  let app: TestApp;
  let fake: XFakeServer;
  let agentToken: string;
  let xChannelId: string;
  const clock = createManualClock(Date.now());

  beforeAll(async () => {
    fake = await startXFakeServer();
    app = await createTestApp('sqlite', { clock });
    const x = await app.services.channels.create(
      { platform: 'x', name: 'Acme on X', config: { baseUrl: fake.url, accountId: fakeBrand.id, accountHandle: fakeBrand.username }, credentials: { consumerSecret: fake.consumerSecret, accessToken: fake.userAccessToken, bearerToken: fake.bearerToken }, ownAccountIds: [fakeBrand.id] },
      admin,
    );
    xChannelId = x.id;
    agentToken = await tokenFor(app, (await createUser(app, 'agent')).id);
  });

  afterAll(async () => {
    await app.dispose();
    await fake.close();
  });

  const postX = (payload: unknown, signature?: string) => {
    const request = fake.signedDelivery(payload);
    return app.http.inject({ method: 'POST', url: `/webhooks/x/${xChannelId}`, headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signature ?? (request.headers['x-twitter-webhooks-signature'] as string) }, payload: request.rawBody });
  };
  const stored = async (channelId: string, externalId: string) => (await app.repos.messages.findByExternalIds(channelId, [externalId]))[0] ?? null;

  it('answers the X CRC challenge with the HMAC of the token', async () => {
    const res = await app.http.inject({ method: 'GET', url: `/webhooks/x/${xChannelId}?crc_token=challenge-123` });
    expect(res.statusCode).toBe(200);
    const expected = `sha256=${createHmac('sha256', fake.consumerSecret).update('challenge-123').digest('base64')}`;
    expect(res.json()).toEqual({ response_token: expected });
  });

  it('ingests a signed delivery once, even when X delivers it twice', async () => {
    const id = fakeXId();
    const payload = aaaTweetCreate([{ id, text: '@acme my router keeps rebooting', author: fakeCustomer }], fakeBrand);
    const first = await postX(payload);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ received: true, events: 1, deletions: 0 });
    const again = await postX(payload);
    expect(again.statusCode).toBe(200);
    expect((await stored(xChannelId, id))?.text).toBe('@acme my router keeps rebooting');
    const rows = await app.store.db.selectFrom('messages').select('id').where('channel_id', '=', xChannelId).where('external_id', '=', id).execute();
    expect(rows).toHaveLength(1);
    expect((await app.repos.channels.get(xChannelId))?.lastEventAt).not.toBeNull();
  });

  it('refuses a bad signature with 401 problem+json, stores nothing and records it on the channel', async () => {
    const id = fakeXId();
    const res = await postX(aaaTweetCreate([{ id, text: 'forged', author: fakeCustomer }], fakeBrand), 'sha256=AAAA');
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(await stored(xChannelId, id)).toBeNull();
    expect((await app.repos.channels.get(xChannelId))?.lastError).toMatch(/webhook rejected/);
    const unsigned = await app.http.inject({ method: 'POST', url: `/webhooks/x/${xChannelId}`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(aaaTweetCreate([{ id, text: 'unsigned', author: fakeCustomer }], fakeBrand)) });
    expect(unsigned.statusCode).toBe(401);
    expect(await stored(xChannelId, id)).toBeNull();
  });

  it('answers 404 for an unknown channel or a platform that is not the channel\'s', async () => {
    expect((await app.http.inject({ method: 'POST', url: '/webhooks/x/no-such-channel', payload: '{}', headers: { 'content-type': 'application/json' } })).statusCode).toBe(404);
    expect((await app.http.inject({ method: 'POST', url: `/webhooks/facebook/${xChannelId}`, payload: '{}', headers: { 'content-type': 'application/json' } })).statusCode).toBe(404);
  });

  it('verifies Meta signatures over the raw bytes (\\u escapes) and fans an app callback out to its Page and Instagram channels', async () => {
    const facebook = await app.services.channels.create({ platform: 'facebook', name: 'Acme Page', config: { pageId: '111', appId: 'app-1' }, credentials: { accessToken: 'page-token', appSecret, verifyToken: 'verify-me' } }, admin);
    const instagram = await app.services.channels.create({ platform: 'instagram', name: 'Acme IG', config: { igUserId: '1784', appId: 'app-1' }, credentials: { accessToken: 'ig-token', appSecret } }, admin);

    const handshake = await app.http.inject({ method: 'GET', url: '/webhooks/meta/app-1?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444' });
    expect(handshake.statusCode).toBe(200);
    expect(handshake.body).toBe('1158201444');

    const commentId = `111_${Date.now()}`;
    // Meta escapes non-ASCII and "/" in its JSON: re-serialising would change the bytes and break the signature.
    const json = JSON.stringify(facebookFeedComment({ pageId: '111', postId: '111_222', commentId, from: { id: '7001', name: 'Zoé' }, message: 'caf\u00e9 closed/again', verb: 'add' }));
    const raw = Buffer.from(json.replace(/é/g, '\\u00e9').replace(/\//g, '\\/'));
    const res = await app.http.inject({ method: 'POST', url: '/webhooks/meta/app-1', headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(raw) }, payload: raw });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ events: 1 });
    expect((await stored(facebook.id, commentId))?.text).toBe('café closed/again');
    expect(await stored(instagram.id, commentId)).toBeNull();

    const dm = Buffer.from(JSON.stringify(metaMessagingEvent({ object: 'instagram', ownId: '1784', senderId: '9001', recipientId: '1784', mid: `aWdf-${Date.now()}`, text: 'where is my parcel' })));
    const direct = await app.http.inject({ method: 'POST', url: `/webhooks/instagram/${instagram.id}`, headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(dm) }, payload: dm });
    expect(direct.statusCode).toBe(200);
    expect(direct.json()).toMatchObject({ events: 1 });

    const forged = await app.http.inject({ method: 'POST', url: '/webhooks/meta/app-1', headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' }, payload: raw });
    expect(forged.statusCode).toBe(401);
  });

  it('keeps the JSON API parsing JSON (the raw parser is scoped to /webhooks)', async () => {
    const res = await app.http.inject({ method: 'PUT', url: '/api/v1/me/status', headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json' }, payload: JSON.stringify({ status: 'online' }) });
    expect(res.statusCode).toBe(200);
  });

  const conversationFor = async (text: string) => {
    const id = fakeXId();
    expect((await postX(aaaTweetCreate([{ id, text, author: { ...fakeCustomer, id: String(5000 + Math.floor(Math.random() * 1e6)) } }], fakeBrand))).statusCode).toBe(200);
    await app.worker.drain();
    const conversationId = (await stored(xChannelId, id))?.conversationId;
    if (!conversationId) throw new Error('the delivery did not become a conversation');
    return { conversationId, tweetId: id };
  };
  const reply = async (conversationId: string, text: string) => {
    const res = await app.http.inject({ method: 'POST', url: `/api/v1/conversations/${conversationId}/reply`, headers: { authorization: `Bearer ${agentToken}` }, payload: { text } });
    expect(res.statusCode).toBe(202);
    return res.json<{ messageId: string; outboxId: string }>();
  };
  const delivery = async (conversationId: string, messageId: string) => {
    const res = await app.http.inject({ method: 'GET', url: `/api/v1/conversations/${conversationId}`, headers: { authorization: `Bearer ${agentToken}` } });
    return res.json<{ messages: { id: string; externalId: string; delivery: { status: string; lastError: string | null } | null }[] }>().messages.find((m) => m.id === messageId);
  };

  it('delivers an agent reply to X in reply to the customer and stores the platform id on the message', async () => {
    const { conversationId, tweetId } = await conversationFor('@acme no signal in Leeds since noon');
    const { messageId } = await reply(conversationId, 'Sorry about that, we are on it');
    await app.outbox.drain();
    const sent = fake.tweets.find((t) => t.text.includes('Sorry about that, we are on it'));
    expect(sent?.inReplyTo).toBe(tweetId);
    const message = await delivery(conversationId, messageId);
    expect(message?.externalId).toBe(sent?.id);
    expect(message?.delivery?.status).toBe('sent');
  });

  it('retries a rate-limited reply after the retry-after X gave', async () => {
    const { conversationId } = await conversationFor('@acme billing page is blank');
    const { messageId, outboxId } = await reply(conversationId, 'Thanks, checking the billing page now');
    // The adapter reads X's reset time against the wall clock; line the app's clock up with it.
    clock.set(Date.now());
    const resetSeconds = Math.ceil(clock.now() / 1000) + 120;
    fake.failNext('/2/tweets', { status: 429, headers: { 'x-rate-limit-limit': '200', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(resetSeconds) }, body: { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 } });
    await app.outbox.drain();
    const waiting = (await app.repos.outbox.listForConversation(conversationId)).find((o) => o.id === outboxId);
    expect(waiting?.status).not.toBe('sent');
    // The adapter counts the wait from the wall clock when X answered and the dispatcher adds it to the app's clock,
    // still where it was lined up: the retry is no earlier than the reset less the wall time since then, however slow.
    const elapsedMs = Date.now() - clock.now();
    expect(waiting?.nextAttemptAt).toBeGreaterThanOrEqual(resetSeconds * 1000 - elapsedMs);
    expect(fake.tweets.some((t) => t.text.startsWith('Thanks, checking the billing'))).toBe(false);

    clock.advance(60_000);
    await app.outbox.drain();
    expect(fake.tweets.some((t) => t.text.startsWith('Thanks, checking the billing'))).toBe(false);
    clock.set(resetSeconds * 1000 + 1000);
    await app.outbox.drain();
    expect(fake.tweets.some((t) => t.text.startsWith('Thanks, checking the billing'))).toBe(true);
    expect((await delivery(conversationId, messageId))?.delivery?.status).toBe('sent');
  });

  it('honours a delete as a tombstone: the text leaves the message, the inbox preview and search', async () => {
    const { conversationId, tweetId } = await conversationFor('@acme my account number is zyxwv123 please help');
    const auth = { authorization: `Bearer ${agentToken}` };
    const search = async () => (await app.http.inject({ method: 'GET', url: '/api/v1/conversations?q=zyxwv123', headers: auth })).json<{ items: { id: string }[] }>().items.map((c) => c.id);
    expect(await search()).toContain(conversationId);
    const res = await postX(aaaTweetDelete(tweetId, fakeCustomer.id, fakeBrand));
    expect(res.json()).toEqual({ received: true, events: 0, deletions: 1 });
    const message = await app.repos.messages.get((await stored(xChannelId, tweetId))!.id);
    expect(message?.text).toBe('');
    expect(message?.deletedAt).not.toBeNull();
    const detail = await app.http.inject({ method: 'GET', url: `/api/v1/conversations/${conversationId}`, headers: auth });
    expect(detail.body).not.toContain('zyxwv123');
    expect(await search()).not.toContain(conversationId);
    const list = await app.http.inject({ method: 'GET', url: '/api/v1/conversations?limit=200', headers: auth });
    expect(list.body).not.toContain('zyxwv123');
  });

  it('keeps what a paused channel receives (acknowledged, not routed) and ingests it in order on resume; its replies wait in the outbox', async () => {
    const { conversationId } = await conversationFor('@acme my order is stuck in customs');
    await app.services.channels.setStatus(xChannelId, 'paused', admin);
    const kept = fakeXId();
    const deleted = fakeXId();
    const first = await postX(aaaTweetCreate([{ id: kept, text: '@acme are you there? (sent while paused)', author: fakeCustomer }], fakeBrand));
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ received: true, events: 1, deletions: 0 });
    expect((await postX(aaaTweetCreate([{ id: deleted, text: '@acme my card number is 4111', author: fakeCustomer }], fakeBrand))).statusCode).toBe(200);
    expect((await postX(aaaTweetDelete(deleted, fakeCustomer.id, fakeBrand))).statusCode).toBe(200);
    // Still verified while paused: a forgery is refused and kept nowhere.
    expect((await postX(aaaTweetCreate([{ id: fakeXId(), text: 'forged', author: fakeCustomer }], fakeBrand), 'sha256=AAAA')).statusCode).toBe(401);
    expect(await stored(xChannelId, kept)).toBeNull();

    const adminAuth = { authorization: `Bearer ${await tokenFor(app, (await createUser(app, 'admin')).id)}` };
    const health = await app.http.inject({ method: 'GET', url: '/api/v1/channels/health', headers: adminAuth });
    const row = health.json<{ items: { channelId: string; heldDeliveries: number; lagSeconds: number | null }[] }>().items.find((h) => h.channelId === xChannelId);
    expect(row?.heldDeliveries).toBe(3);
    // A webhook channel's lag: from the newest delivered post's creation to its ingest.
    expect(row?.lagSeconds).toEqual(expect.any(Number));
    expect((await app.http.inject({ method: 'GET', url: '/metrics' })).body).toContain(`parley_channel_held_deliveries{channel="${xChannelId}",platform="x"} 3`);

    // An agent's reply is queued, and the outbox holds it without spending attempts.
    const { outboxId } = await reply(conversationId, 'Customs release takes two days, sorry');
    await app.outbox.drain();
    expect(fake.tweets.some((t) => t.text.startsWith('Customs release takes two days'))).toBe(false);
    expect((await app.repos.outbox.get(outboxId))).toMatchObject({ status: 'pending', attempts: 0 });

    // Still paused: nothing is released.
    expect(await app.channelRuntime.releaseHeld()).toBe(0);
    // Resuming through the API lets the held deliveries in at once, ahead of anything new.
    const resumed = await app.http.inject({ method: 'POST', url: `/api/v1/channels/${xChannelId}/status`, headers: adminAuth, payload: { status: 'active' } });
    expect(resumed.statusCode).toBe(200);
    expect((await stored(xChannelId, kept))?.text).toBe('@acme are you there? (sent while paused)');
    const tombstone = await stored(xChannelId, deleted);
    expect(tombstone?.text).toBe('');
    expect(await app.channelRuntime.releaseHeld()).toBe(0);
    await app.outbox.drain();
    expect(fake.tweets.some((t) => t.text.startsWith('Customs release takes two days'))).toBe(true);
    expect((await app.repos.outbox.get(outboxId))?.status).toBe('sent');
  });

  it('dead-letters a permanent refusal and shows its reason on the conversation', async () => {
    const { conversationId } = await conversationFor('@acme still waiting for my refund');
    const { messageId } = await reply(conversationId, 'We have escalated your refund');
    fake.failNext('/2/tweets', { status: 403, body: { title: 'Forbidden', detail: 'You are not permitted to reply to this conversation.', type: 'about:blank', status: 403 } });
    await app.outbox.drain();
    const message = await delivery(conversationId, messageId);
    expect(message?.delivery?.status).toBe('dead');
    expect(message?.delivery?.lastError).toMatch(/not permitted to reply/);
  });
});
