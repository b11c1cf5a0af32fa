import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectPii } from '../../src/shared/pii/index.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';
import { createChannel, createTestApp, createUser, envelope, parseEnvelopes, tokenFor, type TestApp } from '../support/test-app.js';

const pgAvailable = await isPostgresAvailable();

const card = '4111 1111 1111 1111';
const email = 'dana.customer@example.com';

describe.each(dialects)('public replies on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  let xChannel: string;
  let fbChannel: string;
  let agentToken: string;
  let adminToken: string;
  const as = (token: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    app.http.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });

  const ingest = async (channelId: string, text: string, over: Parameters<typeof envelope>[1] = {}) => {
    const e = envelope(channelId, { text, ...over });
    await app.services.ingest(parseEnvelopes([e]));
    await app.worker.drain();
    const [stored] = await app.repos.messages.findByExternalIds(channelId, [e.externalId]);
    return { messageId: stored!.id, conversationId: stored!.conversationId! };
  };

  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect);
    xChannel = (await createChannel(app, 'x')).id;
    fbChannel = (await createChannel(app, 'facebook', ['888'])).id;
    agentToken = await tokenFor(app, (await createUser(app, 'agent', { status: 'online' })).id);
    adminToken = await tokenFor(app, (await createUser(app, 'admin')).id);
  });
  afterAll(async () => app?.dispose());

  it.skipIf(skip)('adds a verify link to ordinary public replies, within the channel limit, and /p/verify confirms it', async () => {
    const { conversationId } = await ingest(xChannel, 'my router keeps rebooting');
    const sent = await as(agentToken, 'POST', `/api/v1/conversations/${conversationId}/reply`, { text: 'Sorry about that, we are looking into it.' });
    expect(sent.statusCode, sent.body).toBe(202);
    const outbox = (await app.repos.outbox.listForConversation(conversationId)).find((o) => o.messageId === sent.json().messageId)!;
    const text = (outbox.payload as { text: string }).text;
    const code = /\/p\/verify\?code=([0-9A-Z]{8})$/.exec(text)?.[1];
    expect(code, text).toBeDefined();
    // The timeline shows what the customer sees.
    expect((await app.repos.messages.get(sent.json().messageId))?.text).toBe(text);
    const check = await app.http.inject({ method: 'GET', url: `/p/verify?code=${code!.toLowerCase()}&format=json` });
    expect(check.json()).toMatchObject({ official: true, reply: { platform: 'x' } });

    // A reply that uses the whole of X's 280 has no room: it goes as written, and its code is still on file.
    const long = `We are checking the line in your area now. ${'y'.repeat(240)}`;
    const full = await as(agentToken, 'POST', `/api/v1/conversations/${conversationId}/reply`, { text: long });
    expect(full.statusCode, full.body).toBe(202);
    expect((await app.repos.messages.get(full.json().messageId))?.text).toBe(long);
    expect(await app.repos.officialReplies.byMessage(full.json().messageId)).not.toBeNull();
    // Room for the short code but not the link (a link counts 23 on X).
    const medium = 'x'.repeat(250);
    const mid = await as(agentToken, 'POST', `/api/v1/conversations/${conversationId}/reply`, { text: medium });
    const midText = (await app.repos.messages.get(mid.json().messageId))!.text;
    const filed = await app.repos.officialReplies.byMessage(mid.json().messageId);
    expect(midText).toBe(`${medium}\n\nRef ${filed!.code}`);
  });

  it.skipIf(skip)('lets an admin switch the proof off or to a short code, per workspace and per channel, audited', async () => {
    const denied = await as(agentToken, 'PUT', '/api/v1/trust/reply-proof', { mode: 'off' });
    expect(denied.statusCode).toBe(403);
    const bad = await as(adminToken, 'PUT', '/api/v1/trust/reply-proof', { mode: 'sometimes' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('mode');
    const set = await as(adminToken, 'PUT', '/api/v1/trust/reply-proof', { mode: 'code', channels: { [fbChannel]: 'off' } });
    expect(set.statusCode, set.body).toBe(200);
    expect((await as(agentToken, 'GET', '/api/v1/trust/reply-proof')).statusCode).toBe(403);
    expect((await as(adminToken, 'GET', '/api/v1/trust/reply-proof')).json()).toEqual({ mode: 'code', channels: { [fbChannel]: 'off' } });

    const onX = await ingest(xChannel, 'still no signal in my street');
    const xReply = await as(agentToken, 'POST', `/api/v1/conversations/${onX.conversationId}/reply`, { text: 'An engineer is on the way.' });
    const xCode = (await app.repos.officialReplies.byMessage(xReply.json().messageId))!.code;
    expect((await app.repos.messages.get(xReply.json().messageId))?.text).toBe(`An engineer is on the way.\n\nRef ${xCode}`);

    const onFb = await ingest(fbChannel, 'the app logs me out every day');
    const fbReply = await as(agentToken, 'POST', `/api/v1/conversations/${onFb.conversationId}/reply`, { text: 'A fix ships tomorrow.' });
    expect((await app.repos.messages.get(fbReply.json().messageId))?.text).toBe('A fix ships tomorrow.');
    expect(await app.repos.officialReplies.byMessage(fbReply.json().messageId)).not.toBeNull();

    const audit = await as(adminToken, 'GET', '/api/v1/audit?action=settings.reply_proof.update');
    expect(audit.json().items[0].data.after).toEqual({ mode: 'code', channels: { [fbChannel]: 'off' } });
    await as(adminToken, 'PUT', '/api/v1/trust/reply-proof', { mode: 'link' });
  });

  it.skipIf(skip)('answers a customer who posts their own card number in public with advice and a private link, and redacts the stored copy', async () => {
    const badTemplate = await as(adminToken, 'PUT', '/api/v1/trust/pii-auto-reply', { enabled: true, text: `Write to ${email}: {link}` });
    expect(badTemplate.statusCode).toBe(400);
    expect(badTemplate.json().field ?? badTemplate.body).toContain('text');
    const noLink = await as(adminToken, 'PUT', '/api/v1/trust/pii-auto-reply', { enabled: true, text: 'Please delete your post.' });
    expect(noLink.statusCode).toBe(400);
    const set = await as(adminToken, 'PUT', '/api/v1/trust/pii-auto-reply', { enabled: true, text: 'Please delete that post, it shows your details. Continue privately: {link}' });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toEqual({ enabled: true, text: 'Please delete that post, it shows your details. Continue privately: {link}', redact: true });

    const posted = await ingest(xChannel, `charged twice on my card ${card} fix it now`);
    await app.trust.impostors.scan();
    const stored = await app.repos.messages.get(posted.messageId);
    expect(stored?.text).toBe('charged twice on my card [card] fix it now');
    expect((await app.store.db.selectFrom('messages').select('raw').where('id', '=', posted.messageId).executeTakeFirst())?.raw).toBeNull();
    expect((await app.repos.conversations.get(posted.conversationId))?.lastMessagePreview ?? '').not.toContain('4111');
    const outbox = await app.repos.outbox.listForConversation(posted.conversationId);
    const advice = outbox.find((o) => o.idempotencyKey === `pii-advice:${posted.messageId}`);
    const adviceText = (advice?.payload as { text: string } | undefined)?.text ?? '';
    expect(adviceText).toMatch(/^Please delete that post, it shows your details\. Continue privately: \S+\/p\/private\/\S+/);
    const page = await app.http.inject({ method: 'GET', url: new URL(/(\S+\/p\/private\/\S+)/.exec(adviceText)![1]!).pathname });
    expect(page.statusCode).toBe(200);
    // A rescan does not answer twice.
    await app.trust.impostors.scan();
    expect((await app.repos.outbox.listForConversation(posted.conversationId)).filter((o) => o.idempotencyKey.startsWith('pii-advice:'))).toHaveLength(1);
    await as(adminToken, 'PUT', '/api/v1/trust/pii-auto-reply', { enabled: false, text: 'x {link}', redact: true });
  });

  it.skipIf(skip)('lets an admin allow the company\'s own hotline in public replies, but never card numbers, and no other number', async () => {
    const card = await as(adminToken, 'PUT', '/api/v1/trust/pii-allow', { patterns: [{ type: 'card', pattern: '4111.*' }] });
    expect(card.statusCode).toBe(400);
    expect(card.body).toContain('patterns.0.type');
    const badRegex = await as(adminToken, 'PUT', '/api/v1/trust/pii-allow', { patterns: [{ type: 'order_number', pattern: '(' }] });
    expect(badRegex.statusCode).toBe(400);
    expect(badRegex.body).toContain('patterns.0.pattern');
    expect((await as(agentToken, 'PUT', '/api/v1/trust/pii-allow', { patterns: [] })).statusCode).toBe(403);
    const { conversationId } = await ingest(xChannel, 'how do I reach you by phone?');
    const before = await as(agentToken, 'POST', `/api/v1/conversations/${conversationId}/reply`, { text: 'Call us on +1 800 555 0100 any time.' });
    expect(before.statusCode).toBe(422);
    const set = await as(adminToken, 'PUT', '/api/v1/trust/pii-allow', { patterns: [{ type: 'phone', pattern: '+1 (800) 555-0100', note: 'support hotline' }] });
    expect(set.statusCode, set.body).toBe(200);
    expect((await as(adminToken, 'GET', '/api/v1/trust/pii-allow')).json().patterns).toHaveLength(1);
    const hotline = await as(agentToken, 'POST', `/api/v1/conversations/${conversationId}/reply`, { text: 'Call us on +1 800 555 0100 any time.' });
    expect(hotline.statusCode, hotline.body).toBe(202);
    const other = await as(agentToken, 'POST', `/api/v1/conversations/${conversationId}/reply`, { text: 'We will call you on +1 415 555 0132.' });
    expect(other.statusCode).toBe(422);
    await as(adminToken, 'PUT', '/api/v1/trust/pii-allow', { patterns: [] });
  });

  it.skipIf(skip)("reads phone numbers in the workspace's regions: with GB set, a public reply with a UK mobile is blocked", async () => {
    const bad = await as(adminToken, 'PUT', '/api/v1/trust/pii-allow', { patterns: [], regions: ['GB', 'UK'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('regions.1');
    const { conversationId } = await ingest(xChannel, 'can you text me back?');
    const text = 'Text 07911 123456 and we will sort it.';
    const before = await as(agentToken, 'POST', `/api/v1/conversations/${conversationId}/reply`, { text });
    expect(before.statusCode, before.body).toBe(202);
    const set = await as(adminToken, 'PUT', '/api/v1/trust/pii-allow', { patterns: [], regions: ['gb'] });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toEqual({ patterns: [], regions: ['GB'] });
    const after = await as(agentToken, 'POST', `/api/v1/conversations/${conversationId}/reply`, { text });
    expect(after.statusCode).toBe(422);
    // Changing only the patterns keeps the regions.
    await as(adminToken, 'PUT', '/api/v1/trust/pii-allow', { patterns: [{ type: 'phone', pattern: '+1 800 555 0100' }] });
    expect((await as(adminToken, 'GET', '/api/v1/trust/pii-allow')).json().regions).toEqual(['GB']);
    expect((await as(agentToken, 'POST', `/api/v1/conversations/${conversationId}/reply`, { text })).statusCode).toBe(422);
    await as(adminToken, 'PUT', '/api/v1/trust/pii-allow', { patterns: [], regions: [] });
  });

  it.skipIf(skip)('no API path produces a public reply with a valid card number or an email address', async () => {
    const target = await ingest(xChannel, 'my bill doubled this month');
    const attempts = [`Your card ${card} was refunded`, `Write to us from ${email}`];
    for (const text of attempts) {
      const agent = await as(agentToken, 'POST', `/api/v1/conversations/${target.conversationId}/reply`, { text });
      expect(agent.statusCode).toBe(422);
      expect(agent.json().findings?.length ?? agent.json().details?.findings?.length).toBeGreaterThan(0);
      const proof = await as(agentToken, 'POST', `/api/v1/conversations/${target.conversationId}/verified-reply`, { text });
      expect(proof.statusCode).toBe(422);
    }

    // A rule replying with a macro that carries personal data.
    const macro = await as(adminToken, 'POST', '/api/v1/macros', { name: 'Leaky', body: `Hi {{customer.name}}, the card on file is ${card}; mail ${email}.`, variants: {} });
    expect(macro.statusCode, macro.body).toBe(201);
    const rule = await as(adminToken, 'POST', '/api/v1/rules', { name: 'Leaky reply', trigger: 'message_created', conditions: { all: [{ field: 'message.text', op: 'contains', value: 'leaky' }] }, actions: [{ type: 'reply_with_macro', macroId: macro.json().id }] });
    expect(rule.statusCode, rule.body).toBe(201);
    const ruled = await ingest(xChannel, 'leaky question about my plan');
    expect(await app.repos.outbox.findByKey(`rule:${rule.json().id}:${ruled.messageId}`)).toBeNull();

    // An incident notice fanned out to its members.
    const member = await ingest(xChannel, 'outage in Leeds again');
    await app.repos.incidents.upsert({ id: 'inc-pii', terms: ['outage'], triggerTerms: ['outage'], window: { from: Date.now() - 60_000, to: Date.now() }, confidence: 0.9, memberCount: 1, channels: { [xChannel]: 1 }, platforms: { x: 1 }, suspectedAt: Date.now() }, Date.now());
    await app.repos.incidents.attachMembers('inc-pii', [member.messageId]);
    expect((await as(adminToken, 'POST', '/api/v1/incidents/inc-pii/confirm')).statusCode).toBe(200);
    for (const text of attempts) expect((await as(adminToken, 'POST', '/api/v1/incidents/inc-pii/acknowledge', { text })).statusCode).toBe(422);

    // The automatic advice to customers who post their own data.
    expect((await as(adminToken, 'PUT', '/api/v1/trust/pii-auto-reply', { enabled: true, text: `Card ${card}: {link}` })).statusCode).toBe(400);

    // Whatever was attempted above, nothing public on its way out carries a card number or an email address.
    const rows = await app.store.db.selectFrom('outbox').select(['payload', 'kind']).execute();
    const publicTexts = rows.filter((r) => r.kind === 'reply').map((r) => (JSON.parse(String(r.payload)) as { text: string }).text);
    expect(publicTexts.length).toBeGreaterThan(0);
    for (const text of publicTexts) expect(detectPii(text).filter((f) => f.type === 'card' || f.type === 'email'), text).toEqual([]);
    const outbound = await app.store.db.selectFrom('messages').select(['text']).where('direction', '=', 'out').where('visibility', '=', 'public').execute();
    for (const m of outbound) expect(detectPii(m.text).filter((f) => f.type === 'card' || f.type === 'email'), m.text).toEqual([]);
  });
});
