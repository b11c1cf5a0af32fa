import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannel, createTestApp, createUser, envelope, parseEnvelopes, tokenFor, type TestApp } from '../support/test-app.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';

const pgAvailable = await isPostgresAvailable();

describe.each(dialects)('label corrections and custom intents on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  let agent: { authorization: string };
  let admin: { authorization: string };
  let channelId: string;

  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect);
    agent = { authorization: `Bearer ${await tokenFor(app, (await createUser(app, 'agent')).id)}` };
    admin = { authorization: `Bearer ${await tokenFor(app, (await createUser(app, 'admin')).id)}` };
    channelId = (await createChannel(app)).id;
    await app.http.ready();
  });
  afterAll(async () => app?.dispose());

  it.skipIf(skip)('lets an agent correct a label, keeps the correction as training data and audits it', async () => {
    const { messageIds } = await app.services.ingest(parseEnvelopes([envelope(channelId, { text: 'how do I change my delivery address?' })]));
    await app.worker.drain();
    const id = messageIds[0]!;
    const bad = await app.http.inject({ method: 'POST', url: `/api/v1/messages/${id}/corrections`, headers: agent, payload: { field: 'sentiment', value: 'furious' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('value');
    const res = await app.http.inject({ method: 'POST', url: `/api/v1/messages/${id}/corrections`, headers: agent, payload: { field: 'intent', value: 'order_delivery' } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ field: 'intent', value: 'order_delivery' });
    expect((await app.repos.messages.forPipeline([id]))[0]!.intent).toBe('order_delivery');
    expect(await app.classification.intentExamples()).toEqual([{ text: 'how do I change my delivery address?', intent: 'order_delivery' }]);
    const audit = await app.repos.audit.page(0, 100);
    expect(audit.some((e) => e.action === 'message.label_corrected')).toBe(true);
    const list = await app.http.inject({ method: 'GET', url: `/api/v1/messages/${id}/corrections`, headers: agent });
    expect(list.json().items).toHaveLength(1);
  });

  it.skipIf(skip)('teaches the running pipeline a custom intent taxonomy, and returns to the default one', async () => {
    const examples = [
      ...['my pizza arrived cold', 'the pizza was cold again', 'cold food on arrival', 'why is my pizza always cold', 'food came cold and late'].map((text) => ({ text, intent: 'cold_food' })),
      ...['you forgot my drink', 'the order was missing a side', 'missing items in my order', 'no garlic bread in the bag', 'half my order is missing'].map((text) => ({ text, intent: 'missing_item' })),
    ];
    expect((await app.http.inject({ method: 'POST', url: '/api/v1/intents/train', headers: agent, payload: { examples } })).statusCode).toBe(403);
    const res = await app.http.inject({ method: 'POST', url: '/api/v1/intents/train', headers: admin, payload: { examples, reset: true } });
    expect(res.statusCode).toBe(200);
    expect(res.json().labels.sort()).toEqual(['cold_food', 'missing_item']);
    const [custom] = app.classifier.classify(['the pizza came cold']);
    expect(custom!.intent.label).toBe('cold_food');
    expect(custom!.modelVersion).toContain('+intents.');

    expect((await app.http.inject({ method: 'DELETE', url: '/api/v1/intents/custom', headers: admin })).statusCode).toBe(204);
    const [plain] = app.classifier.classify(['the pizza came cold']);
    expect(plain!.intent.label).not.toBe('cold_food');
    expect(plain!.modelVersion).not.toContain('+intents.');
  });
});
