import { randomBytes } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannel, createTestApp, createUser, envelope, tokenFor, type TestApp } from '../support/test-app.js';

const natsUrl = process.env.PARLEY_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
// CI starts the server just before the run and requires it: keep trying for a while, as a busy machine can be slow to
// bring it up. Elsewhere one try decides whether these tests run.
const natsAvailable = await (async (): Promise<boolean> => {
  const deadline = Date.now() + (process.env.CI ? 30_000 : 0);
  for (;;) {
    try {
      await (await connect({ servers: natsUrl, timeout: 2000 })).close();
      return true;
    } catch {
      if (Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      else if (process.env.CI) throw new Error(`NATS with JetStream is required in CI at ${natsUrl}`);
      else return false;
    }
  }
})();

describe.skipIf(!natsAvailable)('NATS JetStream ingest log (scale mode)', () => {
  let app: TestApp;
  let auth: { authorization: string };
  let channelId: string;

  beforeAll(async () => {
    app = await createTestApp('sqlite', { ingestStream: `PARLEY_TEST_${randomBytes(4).toString('hex').toUpperCase()}` }, { NATS_URL: natsUrl });
    auth = { authorization: `Bearer ${await tokenFor(app, (await createUser(app, 'admin')).id)}` };
    channelId = (await createChannel(app)).id;
    await app.http.ready();
  });
  afterAll(async () => {
    await app.ingestLog?.destroy();
    await app.dispose();
  });

  it('acknowledges once JetStream stored the batch, then workers write it to the store exactly once and in thread order', async () => {
    const root = envelope(channelId, { threadKey: 'thread-1' });
    const replies = Array.from({ length: 5 }, (_, i) => envelope(channelId, { kind: 'reply', threadKey: 'thread-1', inReplyTo: root.externalId, author: root.author, text: `still broken ${i}` }));
    const others = Array.from({ length: 20 }, () => envelope(channelId));
    const res = await app.http.inject({ method: 'POST', url: '/api/v1/messages', headers: auth, payload: { envelopes: [root, ...replies, ...others] } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ accepted: 26, duplicates: 0 });
    // Nothing is in the store until the log is consumed.
    expect(await app.repos.messages.countByStage()).toEqual({});

    const again = await app.http.inject({ method: 'POST', url: '/api/v1/messages', headers: auth, payload: { envelopes: [root] } });
    expect(again.json()).toMatchObject({ accepted: 0, duplicates: 1 });

    const { ingest } = app.services;
    expect(await app.ingestLog!.drain(ingest)).toBe(26);
    await app.worker.drain();
    const stages = await app.repos.messages.countByStage();
    expect(stages).toEqual({ decided: 26 });
    const conversations = await app.services.conversations.list({ limit: 100 }, { userId: 'x', role: 'admin', requestId: 't' });
    const thread = conversations.items.find((c) => c.messageCount === 6);
    expect(thread).toBeDefined();
  });

  it('drops entries for channels that no longer exist, with a reason, and keeps the rest', async () => {
    const good = envelope(channelId);
    const res = await app.http.inject({ method: 'POST', url: '/api/v1/messages', headers: auth, payload: { envelopes: [good, envelope('ghost-channel')] } });
    expect(res.statusCode).toBe(202);
    expect(await app.ingestLog!.drain(app.services.ingest)).toBe(2);
    expect(await app.repos.messages.findByExternalIds(channelId, [good.externalId])).toHaveLength(1);
  });
});
