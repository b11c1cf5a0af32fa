import path from 'node:path';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClassifierThread, type ClassifierThread } from '../../src/server/classifier/classifier-thread.js';
import { understandTexts } from '../../src/server/classifier/understand-fields.js';
import { createUnderstandStage } from '../../src/server/pipeline/understand.js';
import { createChannel, createTestApp, envelope, parseEnvelopes, testClassifier, type TestApp } from '../support/test-app.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';

const pgAvailable = await isPostgresAvailable();
const noCustomModel = path.join(os.tmpdir(), 'parley-no-such-dir', 'intent-custom.bin');

const samples = [
  { text: '@AcmeTelecom my internet has been down since 6am and nobody answers the phone', subject: null },
  { text: 'Thank you so much, the engineer fixed it in ten minutes!', subject: null },
  { text: 'Please refund the double charge on invoice 4471, my card is 4111 1111 1111 1111', subject: 'Billing problem' },
  { text: '', subject: null },
  { text: '😡😡😡', subject: null },
  { text: 'Привет, у меня не работает интернет', subject: null },
];

describe('classifier thread', () => {
  let thread: ClassifierThread;
  beforeAll(async () => {
    thread = createClassifierThread({ customIntentModelPath: noCustomModel });
    await thread.ready();
  });
  afterAll(async () => thread?.close());

  it('gives exactly the rows the worker thread would store, personal data included', async () => {
    const rows = await thread.understand(samples);
    expect(rows).toEqual(understandTexts(testClassifier(), samples));
    expect(JSON.parse(rows[2]!.classifications).pii.length).toBeGreaterThan(0);
  });

  it('refuses answers to requests sent before a reload, and answers from the reloaded models after it', async () => {
    const before = thread.understand(samples.slice(0, 2));
    thread.reload();
    await expect(before).rejects.toThrow(/reloaded/);
    expect(await thread.understand(samples.slice(0, 2))).toEqual(understandTexts(testClassifier(), samples.slice(0, 2)));
  });

  it('refuses work once closed', async () => {
    const closing = createClassifierThread({ customIntentModelPath: noCustomModel });
    await closing.ready();
    await closing.close();
    await expect(closing.understand(samples)).rejects.toThrow(/unavailable/);
  });
});

describe.each(dialects)('understand stage with the classifier thread on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  let channelId: string;
  let thread: ClassifierThread;

  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect);
    channelId = (await createChannel(app)).id;
    thread = createClassifierThread({ customIntentModelPath: noCustomModel });
  });
  afterAll(async () => {
    await thread?.close();
    await app?.dispose();
  });

  const runStage = async (stage: ReturnType<typeof createUnderstandStage>, messageIds: string[]) => {
    await stage.prepare!({ messageIds }, app.repos);
    await app.uow((tx) => stage.handle({ messageIds }, { repos: tx, now: Date.now(), enqueue: async () => undefined, afterCommit: () => undefined }));
  };
  const stored = async (ids: string[]) =>
    app.store.db.selectFrom('messages').select(['id', 'sentiment', 'intent', 'classifications', 'model_version', 'stage']).where('id', 'in', ids).execute();

  it.skipIf(skip)('uses a result computed ahead only for the text it was computed from', async () => {
    const praise = envelope(channelId, { text: 'Thank you so much, the engineer fixed it in ten minutes, brilliant service!' });
    const outage = envelope(channelId, { text: '@AcmeTelecom my internet has been down since 6am and nobody answers the phone' });
    const { messageIds } = await app.services.ingest(parseEnvelopes([praise, outage]));
    const stage = createUnderstandStage({ classifier: testClassifier(), offThread: thread });
    // The praise's text changed after it was sent ahead (an edit, an erasure): that result must not be stored.
    stage.ahead([
      { id: messageIds[0]!, text: 'my internet is down again, this is the worst company, I am furious', subject: null },
      { id: messageIds[1]!, text: outage.text, subject: null },
    ]);
    await runStage(stage, messageIds);
    const rows = new Map((await stored(messageIds)).map((r) => [r.id, r]));
    const [expectedPraise, expectedOutage] = understandTexts(testClassifier(), [{ text: praise.text, subject: null }, { text: outage.text, subject: null }]);
    expect(rows.get(messageIds[0]!)).toMatchObject({ sentiment: expectedPraise!.sentiment, intent: expectedPraise!.intent, classifications: expectedPraise!.classifications, stage: 'understood' });
    expect(expectedPraise!.sentiment).toBe('positive');
    expect(rows.get(messageIds[1]!)).toMatchObject({ sentiment: expectedOutage!.sentiment, classifications: expectedOutage!.classifications, model_version: expectedOutage!.modelVersion });
  });

  it.skipIf(skip)('classifies messages it never saw (after a restart) on the thread, and on its own when the thread is gone', async () => {
    const { messageIds } = await app.services.ingest(parseEnvelopes([envelope(channelId), envelope(channelId, { text: 'how do I change my wifi password?' })]));
    await runStage(createUnderstandStage({ classifier: testClassifier(), offThread: thread }), messageIds.slice(0, 1));
    const gone = createClassifierThread({ customIntentModelPath: noCustomModel });
    await gone.close();
    await runStage(createUnderstandStage({ classifier: testClassifier(), offThread: gone }), messageIds.slice(1));
    const rows = await stored(messageIds);
    expect(rows.map((r) => r.stage)).toEqual(['understood', 'understood']);
    for (const row of rows) expect(row.model_version).toBe(testClassifier().version);
  });
});

describe.each(dialects)('the pipeline with the classifier thread on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;

  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect, { classifierThread: true });
  });
  afterAll(async () => app?.dispose());

  it.skipIf(skip)('understands and routes what it acknowledges while the worker runs', async () => {
    const channelId = (await createChannel(app)).id;
    await app.start(['worker']);
    const batch = Array.from({ length: 40 }, (_, i) => envelope(channelId, { text: `${samples[i % 3]!.text} (${i})` }));
    const { messageIds } = await app.services.ingest(parseEnvelopes(batch));
    const deadline = Date.now() + 20_000;
    let rows: { stage: string; classifications: string | null }[] = [];
    while (Date.now() < deadline) {
      rows = await app.store.db.selectFrom('messages').select(['stage', 'classifications']).where('id', 'in', messageIds).execute();
      if (rows.every((r) => r.stage === 'decided')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(rows.map((r) => r.stage)).toEqual(messageIds.map(() => 'decided'));
    const texts = batch.map((e) => ({ text: e.text, subject: null }));
    const expected = new Set(understandTexts(testClassifier(), texts).map((f) => f.classifications));
    for (const row of rows) expect(expected.has(row.classifications!)).toBe(true);
  });
});
