import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeTelephony } from '../../src/server/connectors/phone/fake-telephony.js';
import { startSmtpSink, type SmtpSink } from '../../src/server/connectors/email/fake-server.js';
import { createChatRepository } from '../../src/server/repositories/chat.repository.js';
import { createStoredChatMailbox } from '../../src/server/services/webchat.service.js';
import type { ChatEntry } from '../../src/server/connectors/webchat/mailbox.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';
import { admin, createTestApp, createUser, tokenFor, type TestApp } from '../support/test-app.js';

const pgAvailable = await isPostgresAvailable();
const phoneSecret = 'pbx-signing-secret-0123456789abcdef';
const site = 'https://shop.acme.example';

const waitFor = async <T>(probe: () => Promise<T | null | undefined>, what: string, timeoutMs = 10_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

describe.each(dialects)('private channels (web chat, feedback form, phone) on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  let smtp: SmtpSink;
  let chatId: string;
  let formId: string;
  let mutedFormId: string;
  let phoneId: string;
  let trustedPhoneId: string;
  const telephony = createFakeTelephony(phoneSecret);

  const stored = async (channelId: string, externalId: string) => {
    const found = (await app.repos.messages.findByExternalIds(channelId, [externalId]))[0];
    return found ? app.repos.messages.get(found.id) : null;
  };
  const postPhone = (channelId: string, request: ReturnType<typeof telephony.delivery>) =>
    app.http.inject({ method: 'POST', url: `/webhooks/phone/${channelId}`, headers: request.headers as Record<string, string>, payload: request.rawBody });
  const chat = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    app.http.inject({ method: 'POST', url: `/p/chat/${chatId}/${path}`, headers: { origin: site, 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) });

  beforeAll(async () => {
    if (skip) return;
    smtp = await startSmtpSink();
    app = await createTestApp(dialect, { channelRunners: { reconcileMs: 50, backoffStartMs: 10, backoffCapMs: 200 } });
    chatId = (await app.services.channels.create({ platform: 'chat', name: 'Website chat', config: { allowedOrigins: [site], messagesPerMinute: 5, maxMessageChars: 200, pollMs: 100 } }, admin)).id;
    formId = (await app.services.channels.create({ platform: 'form', name: 'Feedback', config: { smtp: { host: smtp.host, port: smtp.port, secure: false, ignoreTLS: true }, fromAddress: 'care@acme.example' } }, admin)).id;
    mutedFormId = (await app.services.channels.create({ platform: 'form', name: 'Suggestions box', config: {} }, admin)).id;
    phoneId = (await app.services.channels.create({ platform: 'phone', name: 'Hotline', config: { defaultCountry: 'US' }, credentials: { signingSecret: phoneSecret } }, admin)).id;
    trustedPhoneId = (await app.services.channels.create({ platform: 'phone', name: 'Carrier line', config: { defaultCountry: 'US', callerIdVerified: true }, credentials: { signingSecret: phoneSecret } }, admin)).id;
  });
  afterAll(async () => {
    if (skip) return;
    await app.dispose();
    await smtp.close();
  });

  it.skipIf(skip)('phone: stores a signed call log once, refuses bad, missing or stale signatures with 401 and stores nothing', async () => {
    const callId = telephony.nextCallId();
    const request = telephony.delivery({ type: 'call', callId, from: '(415) 555-0199', status: 'missed', startedAt: new Date().toISOString(), direction: 'inbound', durationSeconds: 0 });
    const forged = { ...request, headers: { ...request.headers, 'x-parley-signature': `v1=${'0'.repeat(64)}` } };
    expect((await postPhone(phoneId, forged)).statusCode).toBe(401);
    const { 'x-parley-signature': _dropped, ...unsigned } = request.headers;
    expect((await postPhone(phoneId, { ...request, headers: unsigned })).statusCode).toBe(401);
    const stale = telephony.delivery({ type: 'call', callId, from: '(415) 555-0199', status: 'missed', startedAt: new Date().toISOString(), direction: 'inbound', durationSeconds: 0 }, Date.now() - 3_600_000);
    const staleRes = await postPhone(phoneId, stale);
    expect(staleRes.statusCode).toBe(401);
    expect(staleRes.headers['content-type']).toContain('application/problem+json');
    expect(await stored(phoneId, `call:${callId}`)).toBeNull();
    const ok = await postPhone(phoneId, request);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ received: true, events: 1, deletions: 0 });
    expect((await postPhone(phoneId, request)).statusCode).toBe(200);
    const message = await stored(phoneId, `call:${callId}`);
    expect(message).toMatchObject({ kind: 'call', visibility: 'private', text: 'Missed call from +1 415 555 0199.' });
    const rows = await app.store.db.selectFrom('messages').select('id').where('channel_id', '=', phoneId).where('external_id', '=', `call:${callId}`).execute();
    expect(rows).toHaveLength(1);
  });

  it.skipIf(skip)('phone: a verified caller id joins the WhatsApp customer with the same number; an unverified one is only suggested', async () => {
    const whatsapp = (await app.services.channels.create({ platform: 'whatsapp', name: 'WhatsApp', config: { simulated: true, phoneNumberId: '1' } }, admin)).id;
    await app.services.ingest([{ channelId: whatsapp, externalId: 'wamid.1', kind: 'dm', visibility: 'private', author: { platformId: '14155550123', displayName: 'Rosa Diaz', phone: '+14155550123' }, text: 'my router is dead', attachments: [], threadKey: '1:14155550123', createdAt: new Date(Date.now() - 60_000).toISOString() }]);
    await app.services.ingest([{ channelId: whatsapp, externalId: 'wamid.2', kind: 'dm', visibility: 'private', author: { platformId: '14155550188', displayName: 'Ted Mosby', phone: '+14155550188' }, text: 'is there an outage?', attachments: [], threadKey: '1:14155550188', createdAt: new Date(Date.now() - 50_000).toISOString() }]);
    await app.worker.drain();
    const waCustomer = (await stored(whatsapp, 'wamid.1'))?.customerId;
    const otherWaCustomer = (await stored(whatsapp, 'wamid.2'))?.customerId as string;
    expect(waCustomer).toBeTruthy();

    const verifiedCall = telephony.nextCallId();
    expect((await postPhone(trustedPhoneId, telephony.delivery([
      { type: 'call', callId: verifiedCall, from: '415-555-0123', status: 'voicemail', startedAt: new Date().toISOString(), direction: 'inbound', durationSeconds: 5 },
      { type: 'voicemail', callId: verifiedCall, from: '415-555-0123', recordedAt: new Date().toISOString(), durationSeconds: 20, transcript: 'Hi, it is Rosa again, the router is still dead' },
    ]))).statusCode).toBe(200);
    await app.worker.drain();
    const call = await stored(trustedPhoneId, `call:${verifiedCall}`);
    const voicemail = await stored(trustedPhoneId, `voicemail:${verifiedCall}`);
    expect(call?.customerId).toBe(waCustomer);
    expect(voicemail?.conversationId).toBe(call?.conversationId);

    const unverifiedCall = telephony.nextCallId();
    expect((await postPhone(phoneId, telephony.delivery({ type: 'call', callId: unverifiedCall, from: '+1 415 555 0188', status: 'answered', startedAt: new Date().toISOString(), direction: 'inbound', durationSeconds: 75, agent: 'Sam' }))).statusCode).toBe(200);
    await app.worker.drain();
    const unverified = await stored(phoneId, `call:${unverifiedCall}`);
    expect(unverified?.customerId).not.toBe(otherWaCustomer);
    const suggestions = await app.repos.identityLinks.suggestionsFor(unverified?.customerId as string);
    expect(suggestions.some((s) => [s.customerId, s.otherCustomerId].includes(otherWaCustomer) && s.reasons.includes('same_unverified_phone'))).toBe(true);
  });

  it.skipIf(skip)('phone: an agent reply is refused by the adapter with a callback instruction', async () => {
    const callId = telephony.nextCallId();
    await postPhone(phoneId, telephony.delivery({ type: 'voicemail', callId, from: '+1 212 555 0147', recordedAt: new Date().toISOString(), durationSeconds: 9, transcript: 'please call me' }));
    await app.worker.drain();
    const conversationId = (await stored(phoneId, `voicemail:${callId}`))?.conversationId as string;
    const { outboxId } = await app.services.conversations.reply(conversationId, { text: 'We will call you' }, admin);
    await app.outbox.drain();
    const item = await app.store.db.selectFrom('outbox').select(['status', 'last_error']).where('id', '=', outboxId).executeTakeFirstOrThrow();
    expect(item.status).toBe('dead');
    expect(item.last_error).toMatch(/cannot place calls.*call the customer back/is);
  });

  it.skipIf(skip)('phone: a callback is a note naming the number, and the conversation sleeps until it is due', async () => {
    const agentToken = await tokenFor(app, (await createUser(app, 'agent')).id);
    const callId = telephony.nextCallId();
    await postPhone(phoneId, telephony.delivery({ type: 'voicemail', callId, from: '+1 212 555 0198', recordedAt: new Date().toISOString(), durationSeconds: 9, transcript: 'call me after lunch' }));
    const withheldId = telephony.nextCallId();
    await postPhone(phoneId, telephony.delivery({ type: 'call', callId: withheldId, from: 'anonymous', status: 'missed', startedAt: new Date().toISOString(), direction: 'inbound', durationSeconds: 0 }));
    await app.worker.drain();
    const conversationId = (await stored(phoneId, `voicemail:${callId}`))?.conversationId as string;
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const res = await app.http.inject({ method: 'POST', url: `/api/v1/conversations/${conversationId}/callback`, headers: { authorization: `Bearer ${agentToken}` }, payload: { at, note: 'asked for after lunch' } });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ number: '+12125550198', at, body: `Callback: call +12125550198 at ${at}. asked for after lunch` });
    const detail = await app.services.conversations.get(conversationId);
    expect(detail.notes.map((n) => n.body)).toContain(res.json().body);
    expect(detail.conversation.status).toBe('snoozed');
    const withheld = await app.http.inject({ method: 'POST', url: `/api/v1/conversations/${(await stored(phoneId, `call:${withheldId}`))?.conversationId}/callback`, headers: { authorization: `Bearer ${agentToken}` }, payload: {} });
    expect(withheld.statusCode).toBe(409);
    const chatConversation = await app.store.db.selectFrom('conversations').select('id').where('channel_id', '!=', phoneId).where('channel_id', '!=', trustedPhoneId).executeTakeFirstOrThrow();
    const notPhone = await app.http.inject({ method: 'POST', url: `/api/v1/conversations/${chatConversation.id}/callback`, headers: { authorization: `Bearer ${agentToken}` }, payload: {} });
    expect(notPhone.statusCode).toBe(400);
    expect(notPhone.json().errors[0].field).toBe('id');
  });

  it.skipIf(skip)('web chat: refuses other origins and forged tokens; a visitor message reaches the pipeline, the reply reaches the session', async () => {
    expect((await chat('session', {}, { origin: 'https://evil.example' })).statusCode).toBe(403);
    const session = await chat('session', {});
    expect(session.statusCode).toBe(200);
    expect(session.headers['access-control-allow-origin']).toBe(site);
    const { token, visitorId } = session.json() as { token: string; visitorId: string };
    expect(token.startsWith(`v1.${visitorId}.`)).toBe(true);
    const forged = `v1.${visitorId}.${'A'.repeat(43)}`;
    expect((await chat('messages', { clientId: 'client-0001', text: 'hello' }, { 'x-parley-visitor': forged })).statusCode).toBe(401);
    const tooLong = await chat('messages', { clientId: 'client-0002', text: 'x'.repeat(201) }, { 'x-parley-visitor': token });
    expect(tooLong.statusCode).toBe(413);
    expect(tooLong.json().errors[0].field).toBe('text');

    const sent = await chat('messages', { clientId: 'client-0003', text: 'My parcel never arrived', pageUrl: `${site}/orders/17` }, { 'x-parley-visitor': token });
    expect(sent.statusCode).toBe(201);
    expect((await chat('messages', { clientId: 'client-0003', text: 'My parcel never arrived' }, { 'x-parley-visitor': token })).statusCode).toBe(201);

    app.channelRuntime.runners.start();
    try {
      const message = await waitFor(() => stored(chatId, `${visitorId}.client-0003`), 'the chat message to be ingested');
      expect(message).toMatchObject({ kind: 'chat', visibility: 'private', text: 'My parcel never arrived', url: `${site}/orders/17` });
      await app.worker.drain();
      const conversationId = (await stored(chatId, `${visitorId}.client-0003`))?.conversationId as string;
      await app.services.conversations.reply(conversationId, { text: 'Sorry! Let me check that order for you.' }, admin);
      await app.outbox.drain();
      const resumed = await chat('session', { token });
      expect(resumed.json().visitorId).toBe(visitorId);
      expect(resumed.json().messages.map((m: { from: string; text: string }) => `${m.from}: ${m.text}`)).toEqual(['visitor: My parcel never arrived', 'agent: Sorry! Let me check that order for you.']);
      const rows = await app.store.db.selectFrom('messages').select('id').where('channel_id', '=', chatId).where('direction', '=', 'in').execute();
      expect(rows).toHaveLength(1);
    } finally {
      await app.channelRuntime.runners.stop();
    }
  });

  it.skipIf(skip)('web chat: erasing the customer also empties the visitor\'s chat history', async () => {
    const { token, visitorId } = (await chat('session', {})).json() as { token: string; visitorId: string };
    expect((await chat('messages', { clientId: 'erase-me-01', text: 'my account number is 99120' }, { 'x-parley-visitor': token })).statusCode).toBe(201);
    app.channelRuntime.runners.start();
    try {
      await waitFor(() => stored(chatId, `${visitorId}.erase-me-01`), 'the chat message to be ingested');
    } finally {
      await app.channelRuntime.runners.stop();
    }
    await app.worker.drain();
    const customerId = (await stored(chatId, `${visitorId}.erase-me-01`))?.customerId as string;
    await app.trust.dataRights.erase(customerId, admin);
    expect((await chat('session', { token })).json().messages).toEqual([]);
    expect((await stored(chatId, `${visitorId}.erase-me-01`))?.text).toBe('');
  });

  it.skipIf(skip)('web chat: a reply appended by another process wakes this process\'s watchers within a poll', async () => {
    const here = createStoredChatMailbox(createChatRepository(app.store.db), app.clock, { pollMs: 50 });
    const worker = createStoredChatMailbox(createChatRepository(app.store.db), app.clock, { pollMs: 50 });
    const seen: ChatEntry[] = [];
    const stop = here.watch(chatId, (entry) => seen.push(entry));
    try {
      await worker.append({ channelId: chatId, visitorId: 'visitor-cccccccccccccc', direction: 'out', externalId: 'reply.cross-process', text: 'from the worker', displayName: null, pageUrl: null, createdAt: Date.now() });
      const entry = await waitFor(async () => seen.find((e) => e.externalId === 'reply.cross-process'), 'the cross-process wake-up');
      expect(entry.text).toBe('from the worker');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(seen.filter((e) => e.externalId === 'reply.cross-process')).toHaveLength(1);
    } finally {
      stop();
      here.stop();
      worker.stop();
    }
  });

  it.skipIf(skip)('web chat: rate-limits a visitor with 429 and retry-after', async () => {
    const { token } = (await chat('session', {})).json() as { token: string };
    const codes: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 7; i += 1) {
      const res = await chat('messages', { clientId: `burst-${i}-abcdef`, text: `message ${i}` }, { 'x-parley-visitor': token });
      codes.push(res.statusCode);
      if (res.statusCode === 429) retryAfter = res.headers['retry-after'] as string;
    }
    expect(codes.slice(0, 5)).toEqual([201, 201, 201, 201, 201]);
    expect(codes.slice(5)).toEqual([429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });

  it.skipIf(skip)('feedback: the hosted page submits a private form message and the agent reply goes back by email', async () => {
    const pageRes = await app.http.inject({ method: 'GET', url: `/p/feedback/${formId}` });
    expect(pageRes.statusCode).toBe(200);
    expect(pageRes.headers['content-security-policy']).toContain("default-src 'none'");
    expect(pageRes.body).toContain('We answer by email');
    const bad = await app.http.inject({ method: 'POST', url: `/p/feedback/${formId}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ name: 'Lee', email: 'not-an-address', topic: 'Billing', message: 'hi' }).toString() });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('email: that email address does not look right');
    const res = await app.http.inject({ method: 'POST', url: `/p/feedback/${formId}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ name: 'Lee Park', email: 'Lee.Park@example.net', topic: 'Billing', message: 'I was charged twice in March.' }).toString() });
    expect(res.statusCode).toBe(201);
    const reference = /Reference: (form:[\w]+)/.exec(res.body)?.[1] as string;
    const message = await stored(formId, reference);
    expect(message).toMatchObject({ kind: 'form', visibility: 'private', subject: 'Billing', text: 'I was charged twice in March.' });
    await app.worker.drain();
    await app.services.conversations.reply((await stored(formId, reference))?.conversationId as string, { text: 'We refunded the second charge.' }, admin);
    await app.outbox.drain();
    const mail = await waitFor(async () => smtp.received.find((m) => m.to.includes('lee.park@example.net')), 'the reply mail');
    expect(mail.raw.toString()).toContain('We refunded the second charge.');
    expect(mail.raw.toString()).toMatch(/Subject: Re: Billing/);
  });

  it.skipIf(skip)('feedback: the embeddable form may be framed by the channel\'s allowed origins only', async () => {
    const embeddable = (await app.services.channels.create({ platform: 'form', name: 'Embedded form', config: { allowedOrigins: [site] } }, admin)).id;
    const framed = await app.http.inject({ method: 'GET', url: `/p/feedback/${embeddable}?embed=1` });
    expect(framed.headers['content-security-policy']).toContain(`frame-ancestors ${site};`);
    expect(framed.headers['x-frame-options']).toBeUndefined();
    expect(framed.body).toContain(`action="/p/feedback/${embeddable}?embed=1"`);
    const hosted = await app.http.inject({ method: 'GET', url: `/p/feedback/${embeddable}` });
    expect(hosted.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const foreign = await app.http.inject({ method: 'POST', url: `/p/feedback/${embeddable}/submissions`, headers: { origin: 'https://evil.example' }, payload: { topic: 'Other', message: 'hi' } });
    expect(foreign.statusCode).toBe(403);
    const allowed = await app.http.inject({ method: 'POST', url: `/p/feedback/${embeddable}/submissions`, headers: { origin: site }, payload: { topic: 'Other', message: 'hi from the shop page' } });
    expect(allowed.statusCode).toBe(201);
    expect(allowed.headers['access-control-allow-origin']).toBe(site);
  });

  it.skipIf(skip)('feedback: a form without SMTP says it cannot reply, in the page, the API and the refused send', async () => {
    expect((await app.http.inject({ method: 'GET', url: `/p/feedback/${mutedFormId}` })).body).toContain('we cannot reply through this form');
    const api = await app.http.inject({ method: 'POST', url: `/p/feedback/${mutedFormId}/submissions`, payload: { email: 'kim@example.net', topic: 'Other', message: 'Your store smells great' } });
    expect(api.statusCode).toBe(201);
    expect(api.json()).toMatchObject({ canReply: false, replyTo: null });
    const badTopic = await app.http.inject({ method: 'POST', url: `/p/feedback/${mutedFormId}/submissions`, payload: { topic: 'Nope', message: 'x' } });
    expect(badTopic.statusCode).toBe(400);
    expect(badTopic.json().errors[0].field).toBe('topic');
    await app.worker.drain();
    const conversationId = (await stored(mutedFormId, api.json().id))?.conversationId as string;
    const { outboxId } = await app.services.conversations.reply(conversationId, { text: 'Thanks!' }, admin);
    await app.outbox.drain();
    const item = await app.store.db.selectFrom('outbox').select(['status', 'last_error']).where('id', '=', outboxId).executeTakeFirstOrThrow();
    expect(item).toMatchObject({ status: 'dead' });
    expect(item.last_error).toMatch(/cannot reach the customer/);
  });
});
