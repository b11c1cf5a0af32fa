import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, createChannel, createTestApp, createUser, envelope, parseEnvelopes, type TestApp } from '../support/test-app.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';
import { createManualClock } from '../../src/server/platform/clock.js';
import { EVENT_STAMP_INTERVAL_MS } from '../../src/server/pipeline/ingest.js';

const pgAvailable = await isPostgresAvailable();

describe.each(dialects)('pipeline on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  let channelId: string;

  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect);
    channelId = (await createChannel(app)).id;
    await createUser(app, 'agent', { status: 'online', skills: ['lang:en'] });
  });
  afterAll(async () => app?.dispose());

  it.skipIf(skip)('ingests, understands, threads and routes a reply chain into one assigned conversation', async () => {
    const root = envelope(channelId, { threadKey: 'c1' });
    const reply = envelope(channelId, { kind: 'reply', inReplyTo: root.externalId, threadKey: 'c1', author: root.author, text: 'still down, this is ridiculous' });
    const result = await app.services.ingest(parseEnvelopes([reply, root]));
    expect(result.accepted).toBe(2);
    await app.worker.drain();

    const list = await app.services.conversations.list({ limit: 10 }, admin);
    expect(list.items).toHaveLength(1);
    const conv = list.items[0]!;
    expect(conv.messageCount).toBe(2);
    expect(conv.assigneeId).not.toBeNull();
    expect(conv.priorityParts.length).toBeGreaterThan(0);
    expect(conv.slaDueAt).not.toBeNull();
    const detail = await app.services.conversations.get(conv.id);
    expect(detail.messages.map((m) => m.stage)).toEqual(['decided', 'decided']);
    expect(detail.messages[0]!.classification?.sentiment).toBeTruthy();
    expect(detail.messages[0]!.modelVersion).toBeTruthy();
  });

  it.skipIf(skip)('acknowledges duplicates without storing them twice', async () => {
    const e = envelope(channelId);
    const first = await app.services.ingest(parseEnvelopes([e, e]));
    const again = await app.services.ingest(parseEnvelopes([e]));
    expect(first.accepted).toBe(1);
    expect(again).toMatchObject({ accepted: 0, duplicates: 1 });
    await app.worker.drain();
  });

  it.skipIf(skip)('commits concurrent calls together, answers each with its own counts, and fails a bad call alone', async () => {
    const shared = envelope(channelId);
    const calls = [
      [envelope(channelId), shared],
      [shared, envelope(channelId), envelope(channelId)],
      [envelope('no-such-channel')],
      [envelope(channelId)],
    ].map((batch) => app.services.ingest(parseEnvelopes(batch)));
    const [a, b, bad, d] = await Promise.allSettled(calls);
    expect(a).toMatchObject({ status: 'fulfilled', value: { accepted: 2, duplicates: 0 } });
    expect(b).toMatchObject({ status: 'fulfilled', value: { accepted: 2, duplicates: 1 } });
    expect(bad).toMatchObject({ status: 'rejected', reason: { code: 'channel_not_found', field: 'envelopes[0].channelId' } });
    expect(d).toMatchObject({ status: 'fulfilled', value: { accepted: 1 } });
    await app.worker.drain();
  });

  it.skipIf(skip)('rejects an unknown channel and stores nothing of the batch', async () => {
    const good = envelope(channelId);
    const bad = envelope('no-such-channel');
    await expect(app.services.ingest(parseEnvelopes([good, bad]))).rejects.toMatchObject({ code: 'channel_not_found', field: 'envelopes[1].channelId' });
    const stored = await app.repos.messages.findByExternalIds(channelId, [good.externalId]);
    expect(stored).toHaveLength(0);
  });

  it.skipIf(skip)('adds acknowledged messages to the understand job no worker has claimed yet, never to a claimed or retried one', async () => {
    await app.worker.drain();
    const understandJobs = async () =>
      (await app.store.db.selectFrom('jobs').select(['id', 'payload', 'status', 'attempts']).where('type', '=', 'pipeline.understand').orderBy('created_at').orderBy('id').execute()).map((j) => ({
        id: j.id,
        messageIds: (JSON.parse(j.payload) as { messageIds: string[] }).messageIds,
        status: j.status,
      }));
    const a = await app.services.ingest(parseEnvelopes([envelope(channelId)]));
    const b = await app.services.ingest(parseEnvelopes([envelope(channelId), envelope(channelId)]));
    // A call that fails changes nothing, the job included; the next call still adds to it.
    await expect(app.services.ingest(parseEnvelopes([envelope(channelId), envelope('no-such-channel')]))).rejects.toMatchObject({ code: 'channel_not_found' });
    const c = await app.services.ingest(parseEnvelopes([envelope(channelId)]));
    const [open] = await understandJobs();
    expect(await understandJobs()).toHaveLength(1);
    expect(open!.messageIds).toEqual([...a.messageIds, ...b.messageIds, ...c.messageIds]);

    // Claimed by a worker: the next acknowledgement starts a job of its own.
    const claimed = await app.repos.jobs.claim('test-worker', 10, Date.now(), 60_000, ['pipeline.understand']);
    expect(claimed.map((j) => j.id)).toEqual([open!.id]);
    const d = await app.services.ingest(parseEnvelopes([envelope(channelId)]));
    const afterClaim = await understandJobs();
    expect(afterClaim).toHaveLength(2);
    expect(afterClaim.find((j) => j.id !== open!.id)!.messageIds).toEqual(d.messageIds);

    // Back in the queue after a failed attempt: pending again, but tried, so it is left as it is.
    await app.repos.jobs.retry(open!.id, 'test failure', Date.now(), Date.now());
    const e = await app.services.ingest(parseEnvelopes([envelope(channelId)]));
    const retried = (await understandJobs()).find((j) => j.id === open!.id)!;
    expect(retried.messageIds).toEqual([...a.messageIds, ...b.messageIds, ...c.messageIds]);
    expect((await understandJobs()).find((j) => j.id !== open!.id)!.messageIds).toEqual([...d.messageIds, ...e.messageIds]);

    // Every message is still understood, threaded and decided exactly once.
    await app.worker.drain();
    const all = [a, b, c, d, e].flatMap((r) => r.messageIds);
    const rows = await app.store.db.selectFrom('messages').select(['id', 'stage']).where('id', 'in', all).execute();
    expect(rows.map((r) => r.stage)).toEqual(all.map(() => 'decided'));
    expect(await understandJobs()).toEqual([]);
  });

  it.skipIf(skip)("stamps a channel's last event at most once a second while messages keep arriving", async () => {
    const clock = createManualClock(Date.UTC(2026, 5, 1, 12));
    const timed = await createTestApp(dialect, { clock });
    try {
      const channel = (await createChannel(timed)).id;
      const lastEvent = async () => (await timed.repos.channels.get(channel))?.lastEventAt;
      await timed.services.ingest(parseEnvelopes([envelope(channel)]));
      const first = clock.now();
      expect(await lastEvent()).toBe(first);
      clock.advance(EVENT_STAMP_INTERVAL_MS - 1);
      await timed.services.ingest(parseEnvelopes([envelope(channel)]));
      expect(await lastEvent()).toBe(first);
      clock.advance(1);
      await timed.services.ingest(parseEnvelopes([envelope(channel)]));
      expect(await lastEvent()).toBe(first + EVENT_STAMP_INTERVAL_MS);
      // A clock set back (a stored time in the future) is written over at once.
      clock.advance(-5000);
      await timed.services.ingest(parseEnvelopes([envelope(channel)]));
      expect(await lastEvent()).toBe(clock.now());
    } finally {
      await timed.dispose();
    }
  });
});
