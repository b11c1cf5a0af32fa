import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, isPostgresAvailable } from '../support/stores.js';
import { createChannel, createTestApp, createUser, envelope, parseEnvelopes, tokenFor, type TestApp } from '../support/test-app.js';

const pgAvailable = await isPostgresAvailable();

const form = (fields: Record<string, string>, cookies: Record<string, string> = {}) => ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString(), cookies });

/** The move to private without a mail server: clear failures, and proof of identity by the platform's private message. */
describe.each(dialects)('private hand-off by private message on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  let channelId: string;
  let agentToken: string;
  const poster = { platformId: 'x-4471', handle: 'dana_k', displayName: 'Dana K', followers: 40, verified: false };

  const ingest = async (over: Parameters<typeof envelope>[1]) => {
    const e = envelope(channelId, over);
    await app.services.ingest(parseEnvelopes([e]));
    await app.worker.drain();
    const [stored] = await app.repos.messages.findByExternalIds(channelId, [e.externalId]);
    return stored!;
  };
  const newLink = async (conversationId: string) => {
    const res = await app.http.inject({ method: 'POST', url: `/api/v1/conversations/${conversationId}/private-link`, headers: { authorization: `Bearer ${agentToken}` } });
    expect(res.statusCode).toBe(201);
    return new URL(res.json<{ url: string }>().url).pathname;
  };

  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect);
    channelId = (await createChannel(app, 'x')).id;
    agentToken = await tokenFor(app, (await createUser(app, 'agent', { status: 'online' })).id);
  });
  afterAll(async () => app?.dispose());

  it.skipIf(skip)('says clearly that no email code can be sent when the workspace has no mail server, instead of queueing one', async () => {
    const post = await ingest({ author: poster, threadKey: 'nomail', text: 'my bill is wrong' });
    const path = await newLink(post.conversationId!);
    await app.repos.customers.updateFields((await app.repos.conversations.get(post.conversationId!))!.customerId!, { email: 'dana@example.com' }, Date.now());
    const offered = await app.http.inject({ method: 'GET', url: path });
    expect(offered.body).toContain('cannot send email codes');
    expect(offered.body).not.toContain('name="choice"');
    const asked = await app.http.inject({ method: 'POST', url: `${path}/email`, ...form({ choice: 'x' }) });
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('choose one of the email addresses shown');
    expect(asked.body).toContain('Prove it by private message');
    expect((await app.repos.outbox.listForConversation(post.conversationId!)).filter((o) => o.kind === 'email')).toEqual([]);
    // Still unspent: the page asks again.
    expect((await app.http.inject({ method: 'GET', url: path })).body).toContain('Continue in private');
  });

  it.skipIf(skip)('verifies the customer when the account that posted sends the page\'s code by private message, then answers there', async () => {
    const post = await ingest({ author: poster, threadKey: 'dmproof', text: 'charged twice this month, help' });
    const conversationId = post.conversationId!;
    const path = await newLink(conversationId);

    const started = await app.http.inject({ method: 'POST', url: `${path}/dm`, ...form({}) });
    expect(started.statusCode).toBe(200);
    const nonce = started.cookies.find((c) => c.name === 'parley_dm');
    expect(nonce?.httpOnly).toBe(true);
    const code = /<strong>(PV[0-9A-Z]{8})<\/strong>/.exec(started.body)?.[1];
    expect(code, started.body).toBeDefined();
    expect(started.body).toContain('@dana_k');

    const waiting = await app.http.inject({ method: 'GET', url: path, cookies: { parley_dm: nonce!.value } });
    expect(waiting.body).toContain('not received your private message');
    expect(waiting.body).toContain(code);

    // Someone else sending the code (it was on a screen they saw) proves nothing.
    await ingest({ kind: 'dm', visibility: 'private', threadKey: 'dm-other', author: { platformId: 'x-9999', handle: 'dana_k_', displayName: 'Dana K', followers: 1, verified: false }, text: code! });
    expect((await app.http.inject({ method: 'GET', url: path, cookies: { parley_dm: nonce!.value } })).body).toContain('not received your private message');
    // A browser without the nonce learns nothing and gets no session.
    const stranger = await app.http.inject({ method: 'GET', url: path });
    expect(stranger.body).not.toContain(code);

    const dm = await ingest({ kind: 'dm', visibility: 'private', threadKey: 'dm-dana', author: poster, text: `hi, my code is ${code!.slice(0, 5).toLowerCase()}-${code!.slice(5).toLowerCase()}` });
    const verified = await app.http.inject({ method: 'GET', url: path, cookies: { parley_dm: nonce!.value } });
    expect(verified.statusCode).toBe(200);
    expect(verified.body).toContain('proved it is you');
    const session = verified.cookies.find((c) => c.name === 'parley_private');
    expect(session?.httpOnly).toBe(true);
    // Single use: the nonce does not open the link again, and without the session it is spent.
    expect((await app.http.inject({ method: 'GET', url: path, cookies: { parley_dm: nonce!.value } })).statusCode).toBe(410);

    const audit = (await app.trust.audit.list({ limit: 20, action: 'conversation.private_verified' })).items[0]!;
    expect(audit.data).toMatchObject({ method: 'private_message', messageId: dm.id, platform: 'x' });

    const answered = await app.http.inject({ method: 'POST', url: `/api/v1/conversations/${conversationId}/private-reply`, headers: { authorization: `Bearer ${agentToken}` }, payload: { text: 'Refunded the second charge.' } });
    expect(answered.statusCode, answered.body).toBe(202);
    expect(answered.json()).toMatchObject({ delivery: 'platform_dm' });
    const out = (await app.repos.outbox.listForConversation(conversationId)).find((o) => o.id === answered.json().outboxId)!;
    expect(out.kind).toBe('dm');
    expect(out.payload).toMatchObject({ text: 'Refunded the second charge.', recipient: { platformId: poster.platformId } });
    const page = await app.http.inject({ method: 'GET', url: path, cookies: { parley_private: session!.value } });
    expect(page.body).toContain('Refunded the second charge.');

    // What the customer writes on the private page is not a post: a later public reply still answers the public thread.
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
    expect((await app.http.inject({ method: 'POST', url: `${path}/message`, ...form({ text: 'thanks, all good now', csrf }, { parley_private: session!.value }) })).statusCode).toBe(200);
    const closing = await app.http.inject({ method: 'POST', url: `/api/v1/conversations/${conversationId}/reply`, headers: { authorization: `Bearer ${agentToken}` }, payload: { text: 'Glad it is sorted.' } });
    expect(closing.statusCode, closing.body).toBe(202);
    const closingOut = (await app.repos.outbox.listForConversation(conversationId)).find((o) => o.id === closing.json().outboxId)!;
    expect(closingOut.kind).toBe('reply');
    expect(closingOut.payload).toMatchObject({ inReplyToExternalId: post.externalId });
  });

  it.skipIf(skip)('merges the customer who sent the proof into the poster when they were held apart (strong evidence, audited)', async () => {
    const author = { ...poster, platformId: 'x-5120', handle: 'omar_b', displayName: 'Omar B' };
    const post = await ingest({ author, threadKey: 'merge', text: 'router dead since Monday' });
    const path = await newLink(post.conversationId!);
    const started = await app.http.inject({ method: 'POST', url: `${path}/dm`, ...form({}) });
    const nonce = started.cookies.find((c) => c.name === 'parley_dm')!.value;
    const code = /<strong>(PV[0-9A-Z]{8})<\/strong>/.exec(started.body)![1]!;
    const dm = await ingest({ kind: 'dm', visibility: 'private', threadKey: 'dm-omar', author, text: code });
    // The sender's private thread is held as a separate customer (as after an agent undid an earlier merge).
    await app.repos.customers.createWithIdentity('cust-split', 'ident-split', { platform: 'email', platformId: 'omar@example.com', handle: null, displayName: 'Omar', followers: 0, verified: false, email: 'omar@example.com' }, Date.now());
    await app.store.db.updateTable('messages').set({ customer_id: 'cust-split' }).where('id', '=', dm.id).execute();

    const verified = await app.http.inject({ method: 'GET', url: path, cookies: { parley_dm: nonce } });
    expect(verified.body).toContain('proved it is you');
    const posterCustomer = (await app.repos.conversations.get(post.conversationId!))!.customerId!;
    const identities = await app.repos.customers.identitiesOf(posterCustomer);
    expect(identities.map((i) => i.platformId)).toContain('omar@example.com');
    const merge = (await app.trust.audit.list({ limit: 20, action: 'customer.merge' })).items[0]!;
    expect(merge.data).toMatchObject({ sourceId: 'cust-split', reason: 'private_link_dm_proof' });
    expect(merge.targetId).toBe(posterCustomer);
  });
});
