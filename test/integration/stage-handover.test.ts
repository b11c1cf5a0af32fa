import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobContext, JobHandOvers } from '../../src/server/jobs/definitions.js';
import { createCorrelateStage } from '../../src/server/pipeline/correlate.js';
import { createDecideStage } from '../../src/server/pipeline/decide.js';
import { createUnderstandStage } from '../../src/server/pipeline/understand.js';
import type { Repositories } from '../../src/server/repositories/index.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';
import { createChannel, createTestApp, envelope, parseEnvelopes, testClassifier, type TestApp } from '../support/test-app.js';

const pgAvailable = await isPostgresAvailable();

const texts = [
  '@AcmeTelecom my internet has been down since 6am and nobody answers the phone',
  'Thank you so much, the engineer fixed it in ten minutes!',
  'Please refund the double charge on invoice 4471',
  'Where can I see my data allowance?',
];

const STORED = ['language', 'sentiment', 'sentiment_score', 'intent', 'intent_score', 'urgency', 'needs_response', 'spam', 'classifications', 'model_version', 'stage'] as const;

/**
 * Understand and correlate chained in one transaction: understand hands its results over and correlate writes them
 * with its own, in one update of each message. What is stored must be what the two stages store run one after the
 * other, each writing its own; and what correlate hands to decide must be what decide would read.
 */
describe.each(dialects)('understand handing its results to correlate on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  let channelId: string;

  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect);
    channelId = (await createChannel(app)).id;
  });
  afterAll(async () => {
    await app?.dispose();
  });

  /**
   * Ingests the texts under `tag` and runs the two stages on them in one transaction; `handOver` as the worker's,
   * chained. Returns what correlate handed to decide, if anything.
   */
  const run = async (
    tag: string,
    handOver: boolean,
    author?: Record<string, unknown>,
    options: { decide?: boolean; ours?: boolean } = {},
  ): Promise<{ ids: string[]; handed: number; toDecide: JobHandOvers['pipeline.decide'] | undefined; opening: Map<string, unknown>; reads: number }> => {
    const batch = texts.map((text, i) => envelope(channelId, { threadKey: `${tag}-${i}`, text, ...(author ? { author: { ...author, platformId: `${String(author.platformId)}-${i}` } } : {}) }));
    // Our own post, opening a thread of its own: its conversation's first response is recorded by decide.
    if (options.ours) batch.push(envelope(channelId, { threadKey: `${tag}-ours`, text: 'Planned maintenance tonight from 1am', author: { platformId: '999', handle: 'acme', displayName: 'Acme', followers: 9000, verified: true } }));
    await app.services.ingest(parseEnvelopes(batch));
    const rows = await app.store.db.selectFrom('messages').select(['id', 'external_id']).where('external_id', 'in', batch.map((e) => e.externalId)).execute();
    const ids = batch.map((e) => rows.find((r) => r.external_id === e.externalId)!.id);
    const understand = createUnderstandStage({ classifier: testClassifier() });
    const correlate = createCorrelateStage({ reopenWindowMs: 60_000 });
    const decide = createDecideStage({});
    let handed = 0;
    let toDecide: JobHandOvers['pipeline.decide'] | undefined;
    // The conversations correlate left to decide, as decide reads them (ConversationsRepository.opening).
    const opening = new Map<string, unknown>();
    // Reads of the batch's message rows by the stages.
    let reads = 0;
    await app.uow(async (tx: Repositories) => {
      const held = new Map<string, unknown>();
      const counted: Repositories['messages'] = {
        ...tx.messages,
        forPipeline: (...args) => ((reads += 1), tx.messages.forPipeline(...args)),
        textsToUnderstand: (...args) => ((reads += 1), tx.messages.textsToUnderstand(...args)),
      };
      const ctx: JobContext = {
        repos: { ...tx, messages: counted },
        now: Date.now(),
        enqueue: async () => undefined,
        afterCommit: () => undefined,
        ...(handOver
          ? {
              handOver: (type, value) => {
                held.set(type, value);
                if (type === 'pipeline.correlate') handed += (value as JobHandOvers['pipeline.correlate']).understood.size;
                return true;
              },
              takeOver: <T extends keyof JobHandOvers>(type: T) => held.get(type) as JobHandOvers[T] | undefined,
            }
          : {}),
      };
      await understand.handle({ messageIds: ids }, ctx);
      if (handOver) {
        // Nothing written yet: the rows wait at 'ingested' for correlate.
        const stages = await tx.messages.forPipeline(ids);
        expect(stages.map((m) => m.stage)).toEqual(ids.map(() => 'ingested'));
      }
      await correlate.handle({ messageIds: ids }, ctx);
      toDecide = held.get('pipeline.decide') as JobHandOvers['pipeline.decide'] | undefined;
      if (toDecide) for (const c of toDecide.opening) opening.set(c.id, tx.conversations.opening(c));
      if (options.decide) await decide.handle({ messageIds: ids }, ctx);
    });
    return { ids, handed, toDecide, opening, reads };
  };

  const stored = async (ids: string[]) => {
    const rows = await app.store.db.selectFrom('messages').select(['id', 'conversation_id', 'customer_id', ...STORED]).where('id', 'in', ids).execute();
    return ids.map((id) => rows.find((r) => r.id === id)!);
  };

  /** Each message's conversation, every column but what differs between two runs by nature. */
  const rows = async (ids: string[]) => {
    const messages = await stored(ids);
    const conversations = await app.store.db.selectFrom('conversations').selectAll().where('id', 'in', messages.map((m) => m.conversation_id!)).execute();
    return messages.map((m) => {
      const c = conversations.find((x) => x.id === m.conversation_id)!;
      // Ids, keys and times (the SLA due time kept relative to the opening).
      const { id, customer_id, thread_key, last_message_id, created_at, updated_at, last_message_at, last_inbound_at, sla_due_at, first_response_at, ...rest } = c;
      void [id, customer_id, thread_key, last_message_id, updated_at, last_message_at, last_inbound_at];
      const since = (at: unknown) => (at === null ? null : Number(at) - Number(created_at));
      return { ...rest, due: since(sla_due_at), responded: since(first_response_at), stage: m.stage };
    });
  };

  it.skipIf(skip)('stores what the stages store each writing their own, in one update', async () => {
    const separate = await run('separate', false, undefined, { decide: true });
    const chained = await run('chained', true, undefined, { decide: true });
    expect(separate.handed).toBe(0);
    expect(separate.toDecide).toBeUndefined();
    expect(chained.handed).toBe(texts.length);
    expect(chained.toDecide!.messages).toHaveLength(texts.length);
    // Chained, the rows understand read are the ones correlate and decide work on: one read for the three stages.
    expect(chained.reads).toBe(1);
    expect(separate.reads).toBe(3);
    const a = await stored(separate.ids);
    const b = await stored(chained.ids);
    for (let i = 0; i < texts.length; i += 1) {
      const pick = (r: (typeof a)[number]) => Object.fromEntries(STORED.map((k) => [k, r[k]]));
      expect(pick(b[i]!)).toEqual(pick(a[i]!));
      expect(b[i]!.stage).toBe('decided');
      expect(b[i]!.sentiment).not.toBeNull();
      expect(b[i]!.conversation_id).not.toBeNull();
      expect(b[i]!.customer_id).not.toBeNull();
    }
    // The conversations' list rows took the handed-over classification, as they take the stored one.
    const lists = async (rows: typeof a) => {
      const conversations = await app.store.db.selectFrom('conversations').select(['id', 'sentiment', 'intent', 'language']).where('id', 'in', rows.map((r) => r.conversation_id!)).execute();
      return rows.map((r) => conversations.find((x) => x.id === r.conversation_id)!).map((c) => [c.sentiment, c.intent, c.language]);
    };
    expect(await lists(b)).toEqual(await lists(a));
  });
  it.skipIf(skip)('leaves the conversations it opens to decide, which inserts each once with its decision as the stages store it apart', async () => {
    const separate = await run('apart', false, undefined, { decide: true, ours: true });
    const chained = await run('together', true, undefined, { decide: true, ours: true });
    expect(separate.toDecide).toBeUndefined();
    // Not the one holding our own post: decide records its first response on the row.
    expect(chained.toDecide!.opening).toHaveLength(texts.length);
    const a = await rows(separate.ids);
    const b = await rows(chained.ids);
    expect(b).toEqual(a);
    expect(b.map((row) => row.stage)).toEqual(b.map(() => 'decided'));
    expect(b.map((row) => row.responded)).toEqual([...texts.map(() => null), 0]);
    for (const row of b.slice(0, texts.length)) expect(row.due).not.toBeNull();
  });

  it.skipIf(skip)('leaves the activity of conversations the store holds to decide, which writes it with its decision as the stages store it apart', async () => {
    // Two threads each, opened apart; one of each snoozed; then a second batch on the same threads.
    const first = { apart: await run('grow-apart', false, undefined, { decide: true }), together: await run('grow-together', false, undefined, { decide: true }) };
    for (const ids of [first.apart.ids, first.together.ids]) {
      const [snoozed] = await stored(ids.slice(0, 1));
      await app.store.db.updateTable('conversations').set({ status: 'snoozed', snoozed_until: Date.now() + 3_600_000 }).where('id', '=', snoozed!.conversation_id!).execute();
    }
    const separate = await run('grow-apart', false, undefined, { decide: true });
    const chained = await run('grow-together', true, undefined, { decide: true });
    expect(chained.toDecide!.opening).toHaveLength(0);
    expect([...chained.toDecide!.folded.keys()].sort()).toEqual((await stored(first.together.ids)).map((m) => m.conversation_id).sort());
    const a = await rows(separate.ids);
    const b = await rows(chained.ids);
    expect(b).toEqual(a);
    expect(b.map((row) => [row.message_count, row.unread_count, row.status])).toEqual(texts.map(() => [2, 2, 'open']));
  });

  it.skipIf(skip)('hands decide its messages and the conversations left to it as the store reads them back once written', async () => {
    const chained = await run('read-back', true);
    const { opening: left, unsaved, messages } = chained.toDecide!;
    expect(left).toHaveLength(texts.length);
    expect(unsaved.map((c) => c.id)).toEqual(chained.ids);
    // Written as correlate would have, in a transaction rolled back after reading.
    const rolledBack = new Error('rolled back');
    await app
      .uow(async (tx: Repositories) => {
        await tx.conversations.createMany(left);
        await tx.messages.saveCorrelation(unsaved);
        const read = await tx.conversations.getMany(left.map((c) => c.id));
        expect(new Map(read.map((c) => [c.id, c]))).toEqual(chained.opening);
        const byId = (list: readonly { id: string }[]) => [...list].sort((a, b) => (a.id < b.id ? -1 : 1));
        expect(byId(messages)).toEqual(byId(await tx.messages.forPipeline(chained.ids)));
        throw rolledBack;
      })
      .catch((error: unknown) => {
        if (error !== rolledBack) throw error;
      });
  });

  it.skipIf(skip)('hands nothing to decide when linking merged customers, which moves their messages', async () => {
    // Customers known by a verified address; new authors with the same one are merged into them as they arrive.
    await run('known', false, { platformId: 'known', handle: 'dana', displayName: 'Dana', followers: 5, verified: false, email: 'dana@example.com' });
    const merging = await run('merging', true, { platformId: 'again', handle: 'dana2', displayName: 'Dana', followers: 5, verified: false, email: 'dana@example.com' });
    expect(merging.handed).toBe(texts.length);
    expect(merging.toDecide).toBeUndefined();
    const rows = await stored(merging.ids);
    const survivors = await app.store.db.selectFrom('identities').select('customer_id').where('email', '=', 'dana@example.com').execute();
    expect(new Set(survivors.map((r) => r.customer_id)).size).toBe(1);
    for (const row of rows) expect(row.customer_id).toBe(survivors[0]!.customer_id);
  });
});
