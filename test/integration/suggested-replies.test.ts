import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, isPostgresAvailable } from '../support/stores.js';
import { admin, createChannel, createTestApp, createUser, envelope, parseEnvelopes, tokenFor, type TestApp } from '../support/test-app.js';

const pgAvailable = await isPostgresAvailable();

describe.each(dialects)('suggested replies on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  let token: string;
  let agentId: string;
  let x: string;

  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect);
    x = (await createChannel(app, 'x')).id;
    const agent = await createUser(app, 'agent', { status: 'online' });
    agentId = agent.id;
    token = await tokenFor(app, agent.id);
    await app.services.macros.create({ name: 'Outage apology', body: 'Hi {{customer.name}}, sorry: there is a network outage with no signal in some areas. Engineers are on it.' }, admin);
    await app.services.macros.create({ name: 'Refund for double charge', body: 'We have refunded the duplicate charge on your bill; it shows in 3-5 days.' }, admin);
    await app.services.macros.create({ name: 'Praise thanks', body: 'Thank you for the kind words, we will pass them on to the team!' }, admin);
  });
  afterAll(async () => app?.dispose());

  const conversationFor = async (text: string, platformId: string) => {
    const [e] = parseEnvelopes([envelope(x, { author: { platformId, handle: platformId }, text })]);
    const result = await app.services.ingest([e!]);
    await app.worker.drain();
    return (await app.repos.messages.get(result.messageIds[0]!))!.conversationId!;
  };
  const suggest = (id: string) => app.http.inject({ method: 'GET', url: `/api/v1/conversations/${id}/suggested-replies`, headers: { authorization: `Bearer ${token}` } });

  it.skipIf(skip)('ranks the macro that fits the last message first, says why, and learns the replies agents keep sending', async () => {
    const first = await conversationFor('@AcmeTelecom no signal at all in Leeds since this morning, is there an outage?', 'u-1');
    const res = await suggest(first);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.items[0]).toMatchObject({ kind: 'macro', name: 'Outage apology' });
    expect(body.items[0].why).toMatch(/signal|outage/);
    expect(body.items.map((i: { name?: string }) => i.name)).not.toContain('Praise thanks');

    // Two answers agents sent to the same kind of message make that answer a suggestion.
    const actor = { userId: agentId, role: 'agent' as const, requestId: 't' };
    const standard = 'Sorry about that! Our engineers are fixing the mast, service should be back within two hours.';
    for (const n of [2, 3]) {
      const id = await conversationFor(`@AcmeTelecom no signal in Bristol either, outage? (${n})`, `u-${n}`);
      await app.services.conversations.reply(id, { text: standard }, actor);
    }
    // A private answer that carried personal data, sent twice, is never offered for reuse.
    for (const n of [4, 5]) {
      const id = await conversationFor(`@AcmeTelecom no signal in Derby, outage? (${n})`, `u-${n}`);
      const conv = (await app.repos.conversations.get(id))!;
      await app.store.db.insertInto('messages').values({ id: `pii-reply-${n}`, channel_id: conv.channelId, external_id: `pii-reply-${n}`, conversation_id: id, direction: 'out', kind: 'dm', visibility: 'private', author_platform_id: '999', text: 'Email me at jo.smith@example.com and I will sort it', created_at: Date.now(), received_at: Date.now(), stage: 'decided', sent_by_user_id: agentId, attachments: '[]', listening: 0, author_followers: 0, author_verified: 0 }).execute();
    }
    const later = await conversationFor('@AcmeTelecom still no signal in Leeds, any news on the outage?', 'u-9');
    const again = (await suggest(later)).json();
    // The personal-data replies sit in conversations of the same intent, so only the guard keeps them out.
    expect((await app.repos.conversations.get(later))!.intent).toBe(again.basedOn.intent);
    expect((await app.store.db.selectFrom('conversations').innerJoin('messages', 'messages.conversation_id', 'conversations.id').select('conversations.intent').where('messages.id', '=', 'pii-reply-4').executeTakeFirstOrThrow()).intent).toBe(again.basedOn.intent);
    const learned = again.items.find((i: { kind: string }) => i.kind === 'reply');
    expect(learned).toMatchObject({ kind: 'reply', text: standard, uses: 2 });
    expect(JSON.stringify(again.items)).not.toContain('example.com');
  });

  it.skipIf(skip)('answers 404 for an unknown conversation and keeps the composer quiet when nothing fits', async () => {
    expect((await suggest('no-such-conversation')).statusCode).toBe(404);
    const id = await conversationFor('@AcmeTelecom 🙂', 'u-20');
    const res = (await suggest(id)).json();
    for (const item of res.items) expect(item.score).toBeGreaterThan(0.05);
  });
});
