import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobContext } from '../../src/server/jobs/definitions.js';
import { createCorrelateStage } from '../../src/server/pipeline/correlate.js';
import type { Repositories } from '../../src/server/repositories/index.js';
import { isPostgresAvailable } from '../support/stores.js';
import { createChannel, createTestApp, envelope, parseEnvelopes, type TestApp } from '../support/test-app.js';

const pgAvailable = await isPostgresAvailable();

/**
 * Several worker processes share a PostgreSQL store (README, PostgreSQL mode). Two of them correlating messages of
 * one new thread at the same moment must thread them into one conversation, not one each: neither transaction sees
 * the other's uncommitted conversation, so threading is serialised across processes.
 */
describe.skipIf(!pgAvailable)('correlate in two processes at once on postgres', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp('postgres');
  });
  afterAll(async () => {
    await app?.dispose();
  });

  const dmAuthor = { platformId: 'u-conc', handle: 'conc', displayName: 'Conc', followers: 10, verified: false };
  it.each([
    // Two customers replying under one post of ours that Parley does not hold: one thread, by its key.
    ['two customers replying under one post', (channelId: string) => [envelope(channelId, { kind: 'reply', threadKey: 'post-777', inReplyTo: '777', text: 'same here, no signal since noon' }), envelope(channelId, { kind: 'reply', threadKey: 'post-777', inReplyTo: '777', text: 'no signal in Leeds either' })]],
    // A new customer's two direct messages: one thread and one new identity (which would also collide on its unique index).
    ['a new customer\'s two direct messages', (channelId: string) => [envelope(channelId, { kind: 'dm', visibility: 'private', author: dmAuthor, text: 'my bill is wrong' }), envelope(channelId, { kind: 'dm', visibility: 'private', author: dmAuthor, text: 'hello? anyone?' })]],
  ])('threads %s, correlated by two transactions at once, into one conversation', async (_name, make) => {
    const channel = await createChannel(app);
    const [first, second] = make(channel.id) as [ReturnType<typeof envelope>, ReturnType<typeof envelope>];
    await app.services.ingest(parseEnvelopes([first, second]));
    const ids = (await app.store.db.selectFrom('messages').select(['id', 'external_id']).where('external_id', 'in', [first.externalId, second.externalId]).execute())
      .sort((x, y) => (x.external_id === first.externalId ? -1 : y.external_id === first.externalId ? 1 : 0))
      .map((r) => r.id);
    expect(ids).toHaveLength(2);
    // Understood, as the previous stage leaves them; the worker is not started, so nothing else moves them.
    await app.store.db.updateTable('messages').set({ stage: 'understood' }).where('id', 'in', ids).execute();
    // Two processes' stages: each has its own in-memory state.
    const stageA = createCorrelateStage({ reopenWindowMs: 60_000 });
    const stageB = createCorrelateStage({ reopenWindowMs: 60_000 });
    const ctxOf = (repos: Repositories): JobContext => ({ repos, now: Date.now(), enqueue: async () => undefined, afterCommit: () => undefined });

    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let correlatedA!: () => void;
    const aCorrelated = new Promise<void>((resolve) => (correlatedA = resolve));
    const a = app.uow(async (tx) => {
      await stageA.handle({ messageIds: [ids[0]!] }, ctxOf(tx));
      correlatedA();
      // Still uncommitted while the other process starts.
      await gate;
    });
    await aCorrelated;
    let bDone = false;
    const b = app.uow((tx) => stageB.handle({ messageIds: [ids[1]!] }, ctxOf(tx))).then(() => {
      bDone = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    const bWaited = !bDone;
    release();
    await Promise.all([a, b]);

    const rows = await app.store.db.selectFrom('messages').select(['id', 'conversation_id', 'stage']).where('id', 'in', ids).execute();
    expect(rows.map((r) => r.stage)).toEqual(['correlated', 'correlated']);
    expect(new Set(rows.map((r) => r.conversation_id)).size).toBe(1);
    const conversations = await app.store.db.selectFrom('conversations').select('id').where('channel_id', '=', channel.id).execute();
    expect(conversations).toHaveLength(1);
    // The second waited for the first to commit rather than read around it.
    expect(bWaited).toBe(true);
  });
});
