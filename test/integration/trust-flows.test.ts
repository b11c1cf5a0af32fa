import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../../src/server/connectors/email/fake-server.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';
import { admin, createChannel, createTestApp, createUser, envelope, parseEnvelopes, tokenFor, type TestApp } from '../support/test-app.js';

const pgAvailable = await isPostgresAvailable();

const form = (fields: Record<string, string>) => ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() });

describe.each(dialects)('trust flows on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  let channelId: string;
  let agentToken: string;
  let adminToken: string;
  let conversationId: string;
  let customerId: string;
  let smtp: SmtpSink;

  beforeAll(async () => {
    if (skip) return;
    // The workspace's system mail carries the one-time codes: an X channel cannot send email.
    smtp = await startSmtpSink();
    app = await createTestApp(dialect, {}, { PARLEY_SMTP_URL: `smtp://${smtp.host}:${smtp.port}`, PARLEY_SMTP_FROM: 'support@acme.test' });
    channelId = (await createChannel(app)).id;
    await app.store.db.insertInto('brands').values({ id: 'b1', name: 'Acme Telecom', slug: 'acme-telecom', official_handles: JSON.stringify(['@AcmeTelecom']), created_at: Date.now() }).execute();
    agentToken = await tokenFor(app, (await createUser(app, 'agent', { status: 'online' })).id);
    adminToken = await tokenFor(app, (await createUser(app, 'admin')).id);
    const root = envelope(channelId, { threadKey: 't1', text: 'My bill is wrong again, call me on +1 415 555 0132' });
    const impostor = envelope(channelId, { kind: 'reply', inReplyTo: root.externalId, threadKey: 't1', author: { platformId: 'imp1', handle: 'AcmeTelecom_Help', displayName: 'Acme Support', followers: 3, verified: false }, text: 'DM us your card number and we will refund you' });
    await app.services.ingest(parseEnvelopes([root]));
    await app.services.ingest(parseEnvelopes([impostor]));
    await app.worker.drain();
    const conversation = (await app.services.conversations.list({ limit: 10 }, admin)).items[0]!;
    conversationId = conversation.id;
    customerId = conversation.customerId!;
  });
  afterAll(async () => {
    await app?.dispose();
    await smtp?.close();
  });

  it.skipIf(skip)('moves a public conversation to a verified private one through a signed single-use link', async () => {
    const created = await app.http.inject({ method: 'POST', url: `/api/v1/conversations/${conversationId}/private-link`, headers: { authorization: `Bearer ${agentToken}` } });
    expect(created.statusCode).toBe(201);
    const { url, suggestedReply } = created.json<{ url: string; suggestedReply: string }>();
    const path = new URL(url).pathname;
    // The closing public reply with the link passes the PII guard through the normal reply path.
    const posted = await app.http.inject({ method: 'POST', url: `/api/v1/conversations/${conversationId}/reply`, headers: { authorization: `Bearer ${agentToken}` }, payload: { text: suggestedReply } });
    expect(posted.statusCode).toBe(202);

    const forged = await app.http.inject({ method: 'GET', url: `${path.slice(0, -3)}abc` });
    expect(forged.statusCode).toBe(404);
    const page = await app.http.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.body).not.toContain('<script');

    // The code goes only to an address already held for the customer (here their CRM record), picked masked.
    await app.repos.customers.updateFields(customerId, { billing_email: 'Dana@Example.com' }, Date.now());
    const offered = await app.http.inject({ method: 'GET', url: path });
    expect(offered.body).toContain('d***@example.com');
    const choice = /name="choice" value="([^"]+)"/.exec(offered.body)![1]!;
    const asked = await app.http.inject({ method: 'POST', url: `${path}/email`, ...form({ choice }) });
    expect(asked.body).toContain('six-digit code');
    const mail = smtp.received.at(-1)!;
    expect(mail.to).toEqual(['dana@example.com']);
    expect(mail.from).toBe('support@acme.test');
    const code = /verification code is (\d{6})/.exec(mail.raw.toString('utf8'))![1]!;
    const stored = await app.repos.privateLinks.get(path.split('/').pop()!.split('.')[0]!);
    expect(stored?.codeHash).not.toContain(code);

    const wrong = await app.http.inject({ method: 'POST', url: `${path}/code`, ...form({ code: code === '000000' ? '111111' : '000000' }) });
    expect(wrong.body).toContain('not right');
    const right = await app.http.inject({ method: 'POST', url: `${path}/code`, ...form({ code }) });
    expect(right.statusCode).toBe(200);
    const cookie = right.cookies.find((c) => c.name === 'parley_private')!;
    expect(cookie.httpOnly).toBe(true);
    const csrf = /name="csrf" value="([^"]+)"/.exec(right.body)![1]!;

    const stale = await app.http.inject({ method: 'POST', url: `${path}/message`, cookies: { parley_private: cookie.value }, ...form({ text: 'hi', csrf: 'nope' }) });
    expect(stale.statusCode).toBe(403);
    const sent = await app.http.inject({ method: 'POST', url: `${path}/message`, cookies: { parley_private: cookie.value }, ...form({ text: 'My account number is 12345678, please fix it', csrf }) });
    expect(sent.statusCode).toBe(200);
    const detail = await app.services.conversations.get(conversationId);
    const privateIn = detail.messages.find((m) => m.visibility === 'private' && m.direction === 'in');
    expect(privateIn?.text).toContain('12345678');
    expect(privateIn?.conversationId).toBe(conversationId);

    // Single use: without the session the link is spent.
    const reused = await app.http.inject({ method: 'GET', url: path });
    expect(reused.statusCode).toBe(410);
    const identities = await app.repos.customers.identitiesOf(customerId);
    expect(identities.some((i) => i.platform === 'email' && i.platformId === 'dana@example.com')).toBe(true);

    const privately = await app.http.inject({ method: 'POST', url: `/api/v1/conversations/${conversationId}/private-reply`, headers: { authorization: `Bearer ${agentToken}` }, payload: { text: 'Your account 12345678 is fixed.' } });
    expect(privately.statusCode).toBe(202);
    expect(privately.json()).toMatchObject({ delivery: 'system_mail', outboxId: null });
    expect(smtp.received.at(-1)!.to).toEqual(['dana@example.com']);
    expect(smtp.received.at(-1)!.raw.toString('utf8')).toContain('Your account 12345678 is fixed.');
    // The customer's private page shows the answer too.
    const again = await app.http.inject({ method: 'GET', url: path, cookies: { parley_private: cookie.value } });
    expect(again.body).toContain('Your account 12345678 is fixed.');
  });

  it.skipIf(skip)('gives public replies a code that the public verify page confirms', async () => {
    const res = await app.http.inject({ method: 'POST', url: `/api/v1/conversations/${conversationId}/verified-reply`, headers: { authorization: `Bearer ${agentToken}` }, payload: { text: 'We are on it.' } });
    expect(res.statusCode).toBe(202);
    const { code } = res.json<{ code: string }>();
    const ok = await app.http.inject({ method: 'GET', url: `/p/verify?code=${code}&format=json` });
    expect(ok.json()).toMatchObject({ official: true, officialAccounts: expect.arrayContaining([expect.objectContaining({ handle: '@AcmeTelecom' })]) });
    const fake = await app.http.inject({ method: 'GET', url: '/p/verify?code=ZZZZZZZZ&handle=AcmeTelecom_Help' });
    expect(fake.body).toContain('does not belong');
    expect(fake.body).toContain('looks like an imitation');
    // Replies written through the ordinary path get a code too.
    await app.trust.verification.assignCodes([conversationId]);
    const outbound = (await app.services.conversations.get(conversationId)).messages.filter((m) => m.direction === 'out' && m.visibility === 'public');
    for (const m of outbound) expect(await app.repos.officialReplies.byMessage(m.id)).not.toBeNull();
  });

  it.skipIf(skip)('never takes the reply’s own proof code for personal data, whatever digits it drew', async () => {
    // A code with six digits in a row reads as a one-time code; as the reply's own proof it is not the customer's.
    const text = `We are on it.\n\nVerify this reply: ${app.config.publicUrl}/p/verify?code=40512345`;
    const res = await app.http.inject({ method: 'POST', url: `/api/v1/conversations/${conversationId}/reply`, headers: { authorization: `Bearer ${agentToken}` }, payload: { text } });
    expect(res.statusCode, res.body).toBe(202);
    expect((await app.repos.officialReplies.byMessage(res.json().messageId))?.code).toBe('40512345');
    // The same digits anywhere else are still refused.
    const otp = await app.http.inject({ method: 'POST', url: `/api/v1/conversations/${conversationId}/reply`, headers: { authorization: `Bearer ${agentToken}` }, payload: { text: 'Your code is 405123, use it to sign in.' } });
    expect(otp.statusCode).toBe(422);
  });

  it.skipIf(skip)('raises an impostor alert, warns the customer and writes a report; flags the customer PII post', async () => {
    const scan = await app.trust.impostors.scan();
    expect(scan.alerts).toBe(1);
    expect(scan.flagged).toBe(1);
    expect((await app.trust.impostors.scan()).scanned).toBe(0);
    const list = await app.http.inject({ method: 'GET', url: '/api/v1/impostor-alerts', headers: { authorization: `Bearer ${agentToken}` } });
    const alert = list.json<{ items: { id: string; author: { handle: string }; evidence: string[] }[] }>().items[0]!;
    expect(alert.author.handle).toBe('AcmeTelecom_Help');
    expect(alert.evidence.length).toBeGreaterThan(0);
    const warned = await app.http.inject({ method: 'POST', url: `/api/v1/impostor-alerts/${alert.id}/warn`, headers: { authorization: `Bearer ${agentToken}` } });
    expect(warned.statusCode).toBe(202);
    expect(warned.json()).toMatchObject({ status: 'warned' });
    const report = await app.http.inject({ method: 'GET', url: `/api/v1/impostor-alerts/${alert.id}/report`, headers: { authorization: `Bearer ${agentToken}` } });
    expect(report.body).toContain('@AcmeTelecom_Help');
    const flags = await app.repos.impostorAlerts.flagsOf(conversationId);
    expect(flags.map((f) => f.kind)).toEqual(['customer_pii_public']);
  });

  it.skipIf(skip)('purges old text by retention, exports and erases a customer, all audited', async () => {
    const put = await app.http.inject({ method: 'PUT', url: `/api/v1/channels/${channelId}/retention`, headers: { authorization: `Bearer ${adminToken}` }, payload: { days: 30 } });
    expect(put.statusCode).toBe(200);
    const old = envelope(channelId, { threadKey: 'old', text: 'an old complaint', createdAt: new Date(Date.now() - 40 * 86_400_000).toISOString(), raw: { x: 1 } });
    await app.services.ingest(parseEnvelopes([old]));
    await app.worker.drain();
    const purged = await app.trust.dataRights.purge(admin);
    expect(purged[0]?.purged).toBe(1);
    const row = await app.store.db.selectFrom('messages').select(['text', 'raw', 'sentiment']).where('external_id', '=', old.externalId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ text: '', raw: null });
    expect(row.sentiment).not.toBeNull();

    const exported = await app.http.inject({ method: 'GET', url: `/api/v1/customers/${customerId}/export`, headers: { authorization: `Bearer ${adminToken}` } });
    expect(exported.headers['content-disposition']).toContain('attachment');
    expect(exported.json<{ messages: unknown[] }>().messages.length).toBeGreaterThan(0);
    const forbidden = await app.http.inject({ method: 'POST', url: `/api/v1/customers/${customerId}/erase`, headers: { authorization: `Bearer ${agentToken}` } });
    expect(forbidden.statusCode).toBe(403);
    const erased = await app.http.inject({ method: 'POST', url: `/api/v1/customers/${customerId}/erase`, headers: { authorization: `Bearer ${adminToken}` } });
    expect(erased.statusCode).toBe(200);
    const after = await app.services.conversations.get(conversationId);
    expect(after.messages.filter((m) => m.customerId === customerId).every((m) => m.text === '')).toBe(true);
    expect(await app.repos.customers.identitiesOf(customerId)).toEqual([]);
    const actions = (await app.trust.audit.list({ limit: 50 })).items.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['retention.set', 'retention.purge', 'customer.export', 'customer.erase', 'impostor.warn', 'conversation.private_link', 'conversation.private_verified']));
    expect((await app.trust.audit.verify()).ok).toBe(true);
  });

  it.skipIf(skip)('the trust scan reads past a decide batch that shares one time, in pages, without skipping or repeating', async () => {
    await app.trust.impostors.scan();
    const batch = Array.from({ length: 5 }, (_, i) => envelope(channelId, { threadKey: `scan-${i}`, text: `Is the outage over yet? (${i})` }));
    await app.services.ingest(parseEnvelopes(batch));
    await app.worker.drain();
    const decided = await app.store.db.selectFrom('messages').select('decided_at').where('external_id', 'in', batch.map((e) => e.externalId)).execute();
    expect(new Set(decided.map((r) => Number(r.decided_at))).size).toBe(1);
    const pages = [];
    for (let i = 0; i < 4; i += 1) pages.push((await app.trust.impostors.scan(2)).scanned);
    expect(pages).toEqual([2, 2, 1, 0]);

    // Messages it does not check (our own replies) move it on all the same, and the customer post after them is reached.
    const ours = Array.from({ length: 3 }, (_, i) => envelope(channelId, { threadKey: `ours-${i}`, author: { platformId: '999', handle: 'AcmeTelecom', displayName: 'Acme Telecom' }, text: `We are looking into it (${i})` }));
    await app.services.ingest(parseEnvelopes(ours));
    await app.worker.drain();
    await app.services.ingest(parseEnvelopes([envelope(channelId, { threadKey: 'scan-after', text: 'Still broken, call me on +1 415 555 0177' })]));
    await app.worker.drain();
    const after = [];
    for (let i = 0; i < 3; i += 1) after.push(await app.trust.impostors.scan(2));
    expect(after.map((p) => p.scanned)).toEqual([2, 2, 0]);
    expect(after.map((p) => p.flagged)).toEqual([0, 1, 0]);
  });

  it.skipIf(skip)('the scan timer reads every page of a tick and saves its cursor once per ten pages, not per page', async () => {
    await app.trust.impostors.scan();
    const batch = Array.from({ length: 250 }, (_, i) => envelope(channelId, { threadKey: `tick-${i}`, text: `No signal at home since this morning (${i})` }));
    await app.services.ingest(parseEnvelopes(batch));
    await app.worker.drain();
    const last = await app.store.db.selectFrom('messages').select(['id', 'decided_at']).where('decided_at', 'is not', null).orderBy('decided_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    const saves: unknown[] = [];
    const set = app.repos.settings.set.bind(app.repos.settings);
    const spy = vi.spyOn(app.repos.settings, 'set').mockImplementation(async (key, value, now) => {
      if (key === 'trust.scan.decidedAt') saves.push(value);
      return set(key, value, now);
    });
    try {
      const stop = app.trust.impostors.startTimer(10);
      await vi.waitUntil(() => saves.length > 0, { timeout: 10_000, interval: 10 });
      await stop();
    } finally {
      spy.mockRestore();
    }
    // Three pages (100, 100, 50) in one tick: one save, at the last message.
    expect(saves).toEqual([{ decidedAt: Number(last.decided_at), id: last.id }]);
    expect((await app.trust.impostors.scan()).scanned).toBe(0);
  });
});
