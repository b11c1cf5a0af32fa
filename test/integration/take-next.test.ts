import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, isPostgresAvailable } from '../support/stores.js';
import { createChannel, createTestApp, createUser, envelope, parseEnvelopes, tokenFor, type TestApp } from '../support/test-app.js';

const pgAvailable = await isPostgresAvailable();

/** "Take next": the agent's next conversation in the work order the workload simulation measures, claimed race-free. */
describe.each(dialects)('take next on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect);
    const channelId = (await createChannel(app)).id;
    // Nobody is online when they arrive: decide leaves them in the service queue, unassigned.
    const posts = { severe: 'My internet has been down all day, I work from home and lost a client', calm: 'How do I change my wifi name?', old: 'Still waiting on my refund from last week' };
    for (const [key, text] of Object.entries(posts)) {
      const e = envelope(channelId, { threadKey: `take-${key}`, text });
      await app.services.ingest(parseEnvelopes([e]));
      await app.worker.drain();
      ids[key] = (await app.store.db.selectFrom('messages').select('conversation_id').where('external_id', '=', e.externalId).executeTakeFirstOrThrow()).conversation_id!;
    }
    const now = Date.now();
    // Scores and deadlines set outright so the order is known: the severe post scores highest and has slack; the
    // old one scores lowest but its first response is due in five minutes (at risk); the calm one is in between.
    const set = async (id: string, priority: number, dueIn: number) => app.store.db.updateTable('conversations').set({ priority, sla_due_at: now + dueIn * 60_000, assignee_id: null, queue: 'service', team_id: null }).where('id', '=', id).execute();
    await set(ids.severe!, 80, 60);
    await set(ids.calm!, 40, 60);
    await set(ids.old!, 10, 5);
  });
  afterAll(async () => app?.dispose());

  it.skipIf(skip)('gives the post at risk first, then by score, claims each for the agent, and answers 204 when nothing is left', async () => {
    const agent = await createUser(app, 'agent');
    const token = await tokenFor(app, agent.id);
    const take = () => app.http.inject({ method: 'POST', url: '/api/v1/conversations/next', headers: { authorization: `Bearer ${token}` } });
    const first = await take();
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ id: ids.old, assigneeId: agent.id });
    // Already theirs and still waiting for a response: it stays their next one until they answer it.
    expect((await take()).json()).toMatchObject({ id: ids.old });
    await app.store.db.updateTable('conversations').set({ last_message_direction: 'out' }).where('id', '=', ids.old!).execute();
    expect((await take()).json()).toMatchObject({ id: ids.severe, assigneeId: agent.id });
    await app.store.db.updateTable('conversations').set({ last_message_direction: 'out' }).where('id', '=', ids.severe!).execute();
    expect((await take()).json()).toMatchObject({ id: ids.calm });
    await app.store.db.updateTable('conversations').set({ last_message_direction: 'out' }).where('id', '=', ids.calm!).execute();
    expect((await take()).statusCode).toBe(204);
    const audit = (await app.trust.audit.list({ limit: 20 })).items.filter((e) => e.action === 'conversation.assign');
    expect(audit.map((e) => e.targetId).sort()).toEqual([ids.old, ids.severe, ids.calm].sort());
  });

  it.skipIf(skip)('never gives one conversation to two agents taking work at the same moment', async () => {
    await app.store.db.updateTable('conversations').set({ last_message_direction: 'in', assignee_id: null, status: 'open' }).where('id', 'in', Object.values(ids)).execute();
    const agents = await Promise.all([createUser(app, 'agent'), createUser(app, 'agent'), createUser(app, 'agent'), createUser(app, 'agent')]);
    const taken = await Promise.all(agents.map((a) => app.services.conversations.takeNext({ userId: a.id, role: 'agent', requestId: 'test' })));
    const got = taken.filter((c) => c !== null).map((c) => c.id);
    expect(got.sort()).toEqual(Object.values(ids).sort());
    expect(taken.filter((c) => c === null)).toHaveLength(1);
  });
});
