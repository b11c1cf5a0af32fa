import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../../src/server/connectors/email/fake-server.js';
import { createManualClock } from '../../src/server/platform/clock.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';
import { createChannel, createTestApp, createUser, envelope, parseEnvelopes, tokenFor, type TestApp } from '../support/test-app.js';

const pgAvailable = await isPostgresAvailable();

let ip = 0;
// Each request from its own client address, so the pages' per-client rate limits stay out of these tests.
const form = (fields: Record<string, string>) => ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString(), remoteAddress: `198.51.100.${(ip += 1) % 250}` });
const choicesOn = (body: string) => [...body.matchAll(/name="choice" value="([^"]+)"[^>]*> <label for="choice\d+">([^<]+)<\/label>/g)].map((m) => ({ id: m[1]!, masked: m[2]! }));

/** The email proof of a private link binds to the customer: codes go only to addresses we already hold for them. */
describe.each(dialects)('private link email proof on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  const clock = createManualClock(Date.now());
  let app: TestApp;
  let smtp: SmtpSink;
  let x: string;
  let agentToken: string;

  const post = async (threadKey: string, author = { platformId: `x-${threadKey}`, handle: `h_${threadKey}`, displayName: 'Dana K', followers: 10, verified: false }) => {
    const e = envelope(x, { threadKey, author, text: 'my bill is wrong', createdAt: new Date(clock.now() - 1000).toISOString() });
    await app.services.ingest(parseEnvelopes([e]));
    await app.worker.drain();
    const [stored] = await app.repos.messages.findByExternalIds(x, [e.externalId]);
    const conversation = (await app.repos.conversations.get(stored!.conversationId!))!;
    return { conversationId: conversation.id, customerId: conversation.customerId! };
  };
  const newLink = async (conversationId: string) => {
    const res = await app.http.inject({ method: 'POST', url: `/api/v1/conversations/${conversationId}/private-link`, headers: { authorization: `Bearer ${agentToken}` } });
    expect(res.statusCode).toBe(201);
    return new URL(res.json<{ url: string }>().url).pathname;
  };
  const codeMailedTo = (address: string) => {
    const mail = smtp.received.at(-1)!;
    expect(mail.to).toEqual([address]);
    return /verification code is (\d{6})/.exec(mail.raw.toString('utf8'))![1]!;
  };
  const wrongCode = (code: string) => (code === '000000' ? '111111' : '000000');

  beforeAll(async () => {
    if (skip) return;
    smtp = await startSmtpSink();
    app = await createTestApp(dialect, { clock }, { PARLEY_SMTP_URL: `smtp://${smtp.host}:${smtp.port}`, PARLEY_SMTP_FROM: 'support@acme.test' });
    x = (await createChannel(app, 'x')).id;
    agentToken = await tokenFor(app, (await createUser(app, 'agent', { status: 'online' })).id);
  });
  afterAll(async () => {
    await app?.dispose();
    await smtp?.close();
  });

  it.skipIf(skip)('offers only the customer\'s known addresses, masked; an address the visitor types is refused and no code is sent', async () => {
    const { conversationId, customerId } = await post('claim');
    await app.repos.customers.updateFields(customerId, { billing_email: 'Dana.K@Example.com', plan: 'Fibre' }, clock.now());
    const path = await newLink(conversationId);
    const page = await app.http.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    const choices = choicesOn(page.body);
    expect(choices.map((c) => c.masked)).toEqual(['d***@example.com']);
    expect(page.body.toLowerCase()).not.toContain('dana.k@example.com');
    expect(page.body).not.toContain('type="email"');
    expect(page.body).toContain('Prove it by private message');

    const sentBefore = smtp.received.length;
    // The old form field: an address of the visitor's own choosing is not accepted at all.
    const typed = await app.http.inject({ method: 'POST', url: `${path}/email`, ...form({ email: 'attacker@evil.test' }) });
    expect(typed.statusCode).toBe(400);
    expect(typed.headers['content-type']).toContain('application/problem+json');
    expect(JSON.stringify(typed.json().errors)).toMatch(/choice|email/);
    // Nor is an address smuggled in as the choice, nor a made-up choice.
    for (const choice of ['attacker@evil.test', 'dana.k@example.com', 'a'.repeat(20)]) {
      const res = await app.http.inject({ method: 'POST', url: `${path}/email`, ...form({ choice }) });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('choose one of the email addresses shown');
    }
    // A choice from another customer's link names nothing here.
    const other = await post('claim-other');
    await app.repos.customers.updateFields(other.customerId, { email_work: 'mallory@evil.test' }, clock.now());
    const otherPath = await newLink(other.conversationId);
    const otherChoice = choicesOn((await app.http.inject({ method: 'GET', url: otherPath })).body)[0]!;
    expect((await app.http.inject({ method: 'POST', url: `${path}/email`, ...form({ choice: otherChoice.id }) })).body).toContain('choose one of the email addresses shown');
    expect(smtp.received.length).toBe(sentBefore);
    expect((await app.repos.privateLinks.get(path.split('/').pop()!.split('.')[0]!))?.codeHash).toBeNull();

    // The customer's own pick: the code goes to the held address, and the page shows it masked.
    const asked = await app.http.inject({ method: 'POST', url: `${path}/email`, ...form({ choice: choices[0]!.id }) });
    expect(asked.body).toContain('We sent a six-digit code to d***@example.com');
    const code = codeMailedTo('dana.k@example.com');
    const stored = (await app.repos.privateLinks.get(path.split('/').pop()!.split('.')[0]!))!;
    expect(stored.codeHash).not.toContain(code);
    expect(stored.codeHash).toMatch(/^[0-9a-f]{64}$/);
    const right = await app.http.inject({ method: 'POST', url: `${path}/code`, ...form({ code }) });
    expect(right.body).toContain('you are verified');
    expect((await app.repos.customers.identitiesOf(customerId)).some((i) => i.platform === 'email' && i.platformId === 'dana.k@example.com')).toBe(true);
    const audit = (await app.trust.audit.list({ limit: 5, action: 'conversation.private_verified' })).items[0]!;
    expect(audit.data).toMatchObject({ method: 'email', email: 'd***@example.com', mergeId: null });
  });

  it.skipIf(skip)('with no address on file offers only the proof by private message from the account that posted', async () => {
    const { conversationId } = await post('nomail');
    const path = await newLink(conversationId);
    const page = await app.http.inject({ method: 'GET', url: path });
    expect(page.body).toContain('no email address on file');
    expect(choicesOn(page.body)).toEqual([]);
    expect(page.body).not.toContain(`${path}/email`);
    expect(page.body).toContain('Prove it by private message');
    const sentBefore = smtp.received.length;
    const asked = await app.http.inject({ method: 'POST', url: `${path}/email`, ...form({ choice: 'anything' }) });
    expect(asked.body).toContain('we hold no email address for you');
    expect(smtp.received.length).toBe(sentBefore);
  });

  it.skipIf(skip)('a code expires, guesses are limited per link (a new code buys none), sends are limited, and a link opens once', async () => {
    const { conversationId, customerId } = await post('limits');
    await app.repos.customers.updateFields(customerId, { email: 'lee@example.org' }, clock.now());
    const path = await newLink(conversationId);
    const choice = choicesOn((await app.http.inject({ method: 'GET', url: path })).body)[0]!;
    expect(choice.masked).toBe('l***@example.org');

    // Expiry: a code is good for fifteen minutes.
    await app.http.inject({ method: 'POST', url: `${path}/email`, ...form({ choice: choice.id }) });
    const stale = codeMailedTo('lee@example.org');
    clock.advance(15 * 60_000 + 1);
    expect((await app.http.inject({ method: 'POST', url: `${path}/code`, ...form({ code: stale }) })).body).toContain('the code has expired');
    expect(choicesOn((await app.http.inject({ method: 'GET', url: path })).body)).toHaveLength(1);

    // Five guesses per link in all: three on this code, two on the next, then even the right code is refused.
    await app.http.inject({ method: 'POST', url: `${path}/email`, ...form({ choice: choice.id }) });
    const second = codeMailedTo('lee@example.org');
    for (let i = 0; i < 3; i += 1) expect((await app.http.inject({ method: 'POST', url: `${path}/code`, ...form({ code: wrongCode(second) }) })).body).toContain('not right');
    await app.http.inject({ method: 'POST', url: `${path}/email`, ...form({ choice: choice.id }) });
    const third = codeMailedTo('lee@example.org');
    for (let i = 0; i < 2; i += 1) expect((await app.http.inject({ method: 'POST', url: `${path}/code`, ...form({ code: wrongCode(third) }) })).body).toContain('not right');
    const late = await app.http.inject({ method: 'POST', url: `${path}/code`, ...form({ code: third }) });
    expect(late.body).not.toContain('you are verified');
    expect(late.cookies.find((c) => c.name === 'parley_private')).toBeUndefined();
    const lockedPage = await app.http.inject({ method: 'GET', url: path });
    expect(lockedPage.body).toContain('allows no more email codes');
    const sentBefore = smtp.received.length;
    expect((await app.http.inject({ method: 'POST', url: `${path}/email`, ...form({ choice: choice.id }) })).body).toContain('too many wrong codes');
    expect(smtp.received.length).toBe(sentBefore);
    const row = (await app.repos.privateLinks.get(path.split('/').pop()!.split('.')[0]!))!;
    expect(row.codeAttempts).toBe(5);
    expect(row.usedAt).toBeNull();

    // Sends: three codes per link.
    const fresh = await newLink(conversationId);
    const freshChoice = choicesOn((await app.http.inject({ method: 'GET', url: fresh })).body)[0]!;
    for (let i = 0; i < 3; i += 1) expect((await app.http.inject({ method: 'POST', url: `${fresh}/email`, ...form({ choice: freshChoice.id }) })).body).toContain('We sent a six-digit code');
    const fourth = smtp.received.length;
    expect((await app.http.inject({ method: 'POST', url: `${fresh}/email`, ...form({ choice: freshChoice.id }) })).body).toContain('sent all the codes this link allows');
    expect(smtp.received.length).toBe(fourth);

    // Single use: the last code opens the link once; the same code again, or the link without the session, does not.
    const last = codeMailedTo('lee@example.org');
    const opened = await app.http.inject({ method: 'POST', url: `${fresh}/code`, ...form({ code: last }) });
    expect(opened.body).toContain('you are verified');
    const again = await app.http.inject({ method: 'POST', url: `${fresh}/code`, ...form({ code: last }) });
    expect(again.statusCode).toBe(410);
    expect(again.cookies.find((c) => c.name === 'parley_private')).toBeUndefined();
    expect((await app.http.inject({ method: 'GET', url: fresh })).statusCode).toBe(410);
  });

  it.skipIf(skip)('merges a customer held apart under the proven address only after the bound proof, and audits it', async () => {
    const email = (await createChannel(app, 'email')).id;
    // The same person wrote from their mailbox earlier and is held as another customer.
    await app.services.ingest(parseEnvelopes([envelope(email, { kind: 'email', visibility: 'private', threadKey: 'mail-omar', author: { platformId: 'Omar.B@Mail.test', displayName: 'Omar B', email: 'Omar.B@Mail.test' }, text: 'Router broken', createdAt: new Date(clock.now() - 1000).toISOString() })]));
    await app.worker.drain();
    const mailCustomer = (await app.repos.customers.findIdentities('email', ['Omar.B@Mail.test'])).get('Omar.B@Mail.test')!.customerId;
    const { conversationId, customerId } = await post('merge');
    expect(customerId).not.toBe(mailCustomer);
    await app.repos.customers.updateFields(customerId, { email: 'omar.b@mail.test' }, clock.now());
    const path = await newLink(conversationId);
    const choice = choicesOn((await app.http.inject({ method: 'GET', url: path })).body)[0]!;
    await app.http.inject({ method: 'POST', url: `${path}/email`, ...form({ choice: choice.id }) });
    // Nothing is merged while only a code was sent, nor after a wrong guess.
    await app.http.inject({ method: 'POST', url: `${path}/code`, ...form({ code: wrongCode(codeMailedTo('omar.b@mail.test')) }) });
    expect((await app.repos.customers.get(mailCustomer))).not.toBeNull();
    expect((await app.trust.audit.list({ limit: 50, action: 'customer.merge' })).items.filter((m) => m.targetId === customerId)).toEqual([]);
    const right = await app.http.inject({ method: 'POST', url: `${path}/code`, ...form({ code: codeMailedTo('omar.b@mail.test') }) });
    expect(right.body).toContain('you are verified');
    const merge = (await app.trust.audit.list({ limit: 50, action: 'customer.merge' })).items.find((m) => m.targetId === customerId)!;
    expect(merge.data).toMatchObject({ sourceId: mailCustomer, reason: 'private_link_email_proof' });
    expect((await app.repos.customers.identitiesOf(customerId)).map((i) => i.platformId)).toContain('Omar.B@Mail.test');
  });

  it.skipIf(skip)('an email conversation offers the address it came from, and the code goes out through the email channel', async () => {
    const email = (await createChannel(app, 'email')).id;
    const e = envelope(email, { kind: 'email', visibility: 'private', threadKey: 'mail-rosa', author: { platformId: 'rosa@mail.test', displayName: 'Rosa', email: 'rosa@mail.test' }, text: 'Where is my refund?', createdAt: new Date(clock.now() - 1000).toISOString() });
    await app.services.ingest(parseEnvelopes([e]));
    await app.worker.drain();
    const [stored] = await app.repos.messages.findByExternalIds(email, [e.externalId]);
    const path = await newLink(stored!.conversationId!);
    const page = await app.http.inject({ method: 'GET', url: path });
    const choices = choicesOn(page.body);
    expect(choices.map((c) => c.masked)).toEqual(['r***@mail.test']);
    // No public post: the private-message proof is not offered.
    expect(page.body).not.toContain('Prove it by private message');
    await app.http.inject({ method: 'POST', url: `${path}/email`, ...form({ choice: choices[0]!.id }) });
    const out = (await app.repos.outbox.listForConversation(stored!.conversationId!)).filter((o) => o.kind === 'email');
    expect(out).toHaveLength(1);
    expect(out[0]!.payload).toMatchObject({ recipient: { email: 'rosa@mail.test' }, subject: 'Your verification code' });
  });
});
