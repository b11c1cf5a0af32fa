/**
 * Correlate stage: threading accuracy on a 10,000-post X API v2 replay with reply chains (delivered
 * slightly out of order, through the real X mapper and the whole pipeline), and correlate throughput
 * with a large store already holding messages, conversations and customers.
 */
import type { ParleyApp } from '../src/server/app.js';
import { mapXV2StreamLine } from '../src/server/connectors/x/map.js';
import { createCorrelateStage } from '../src/server/pipeline/correlate.js';
import { newId } from '../src/server/platform/ids.js';
import type { Envelope } from '../src/shared/envelope.js';
import { createBenchApp } from './support/bench-app.js';
import type { BenchContext, BenchModule } from './types.js';

const rng = (seed: number) => {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
};

interface ReplayLine {
  line: string;
  id: string;
  rootId: string;
}

/** X v2 stream lines: a third are new threads, the rest reply to any earlier post of a thread (so chains get deep). */
export const generateXV2Replay = (count: number, seed = 11): ReplayLine[] => {
  const rand = rng(seed);
  const threads: { rootId: string; postIds: string[] }[] = [];
  const out: ReplayLine[] = [];
  const start = Date.UTC(2026, 10, 20, 9);
  for (let i = 0; i < count; i += 1) {
    const id = String(1_950_000_000_000_000_000n + BigInt(i) * 7919n);
    const thread = threads.length > 0 && rand() < 0.66 ? threads[Math.floor(rand() ** 0.5 * threads.length)]! : null;
    const parent = thread ? thread.postIds[Math.floor(rand() * thread.postIds.length)]! : null;
    const user = `u${Math.floor(rand() * count)}`;
    const data: Record<string, unknown> = {
      id,
      text: `@AcmeTelecom ${parent ? 'still' : 'why is'} my ${['broadband', 'bill', 'router', 'app', 'order'][i % 5]} ${parent ? 'not fixed' : 'broken'} #${i % 89}`,
      author_id: user,
      created_at: new Date(start + i * 1000).toISOString(),
      conversation_id: thread ? thread.rootId : id,
      edit_history_tweet_ids: [id],
      entities: { mentions: [{ username: 'AcmeTelecom', id: '999' }] },
      ...(parent ? { referenced_tweets: [{ type: 'replied_to', id: parent }], in_reply_to_user_id: '999' } : {}),
    };
    const line = JSON.stringify({ data, includes: { users: [{ id: user, username: `user_${user}`, name: `User ${user}`, public_metrics: { followers_count: 100 } }] } });
    if (thread) thread.postIds.push(id);
    else threads.push({ rootId: id, postIds: [id] });
    out.push({ line, id, rootId: thread ? thread.rootId : id });
  }
  // The stream does not promise order: swap neighbours within 50 lines so some replies arrive before their parent.
  for (let i = 0; i < out.length; i += 1) {
    const j = Math.min(out.length - 1, i + Math.floor(rand() * 50));
    if (rand() < 0.2) [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
};

const measureThreading = async (ctx: BenchContext): Promise<number> => {
  const { app, channelId, dispose } = await createBenchApp(`${ctx.tmpDir}/threading`, null);
  try {
    const replay = generateXV2Replay(10_000);
    for (let i = 0; i < replay.length; i += 500) {
      const envelopes = replay.slice(i, i + 500).map((r) => mapXV2StreamLine(r.line, channelId, { ownUserIds: ['999'] })).filter((e): e is Envelope => e !== null);
      await app.services.ingest(envelopes);
      await app.worker.drain();
    }
    const rows = await app.store.db.selectFrom('messages').select(['external_id', 'conversation_id']).where('channel_id', '=', channelId).execute();
    const conversationOf = new Map(rows.map((r) => [r.external_id, r.conversation_id]));
    const replies = replay.filter((r) => r.id !== r.rootId);
    const correct = replies.filter((r) => conversationOf.get(r.id) !== undefined && conversationOf.get(r.id) === conversationOf.get(r.rootId)).length;
    ctx.log(`correlate: ${correct}/${replies.length} replies in their root's conversation`);
    return correct / replies.length;
  } finally {
    await dispose();
  }
};

/** Bulk rows straight into the store: customers with identities, conversations, decided messages. */
const seedStore = async (app: ParleyApp, channelId: string, messages: number, log: (m: string) => void): Promise<void> => {
  const db = app.store.db;
  const perConversation = 5;
  const base = Date.now() - 30 * 86_400_000;
  const started = performance.now();
  for (let c0 = 0; c0 < messages / perConversation; c0 += 2000) {
    const count = Math.min(2000, messages / perConversation - c0);
    await db.transaction().execute(async (tx) => {
      for (let k = 0; k < count; k += 400) {
        const ids = Array.from({ length: Math.min(400, count - k) }, (_, n) => c0 + k + n);
        await tx.insertInto('customers').values(ids.map((c) => ({ id: `sc${c}`, display_name: `Seed ${c}`, handle: `seed${c}`, followers: 10, verified: 0, tier: 'standard', fields: '{}', created_at: base, updated_at: base }))).execute();
        await tx.insertInto('identities').values(ids.map((c) => ({ id: `si${c}`, platform: 'x', platform_id: `seed-user-${c}`, handle: `seed${c}`, display_name: `Seed ${c}`, followers: 10, verified: 0, email: null, phone: null, customer_id: `sc${c}`, created_at: base, updated_at: base }))).execute();
        await tx.insertInto('conversations').values(ids.map((c) => ({ id: `sv${c}`, channel_id: channelId, brand_id: null, customer_id: `sc${c}`, thread_key: `seed-thread-${c}`, visibility: 'public', subject: null, last_message_at: base + c, message_count: perConversation, created_at: base + c, updated_at: base + c, resolved_at: null, last_message_id: null, last_inbound_at: null, first_response_at: null, sla_due_at: null, incident_id: null, assignee_id: null, team_id: null, sentiment: null, intent: null, language: 'en' }))).execute();
        const rows = ids.flatMap((c) => Array.from({ length: perConversation }, (_, m) => ({
          id: `sm${c}-${m}`, channel_id: channelId, external_id: `seed-${c}-${m}`, conversation_id: `sv${c}`, customer_id: `sc${c}`, identity_id: `si${c}`, direction: 'in', kind: m === 0 ? 'post' : 'reply', visibility: 'public',
          author_platform_id: `seed-user-${c}`, text: `seeded message ${c} ${m} about my broadband bill`, in_reply_to: m === 0 ? null : `seed-${c}-${m - 1}`, thread_key: `seed-thread-${c}`,
          created_at: base + c, received_at: base + c, stage: 'decided', sentiment: 'neutral', intent: 'other', attachments: '[]', listening: 0, author_followers: 10, author_verified: 0,
        })));
        // Both dialects cap bound parameters per statement (SQLite 32,766): 1,000 rows of 24 columns stay under it.
        for (let r = 0; r < rows.length; r += 1000) await tx.insertInto('messages').values(rows.slice(r, r + 1000)).execute();
      }
    });
  }
  log(`correlate: seeded ${messages} messages in ${((performance.now() - started) / 1000).toFixed(1)} s`);
};

/** Messages/s through the correlate stage alone (its own transactions, as the worker runs it), store pre-filled. */
const measureThroughput = async (ctx: BenchContext, seeded: number, fresh: number): Promise<number> => {
  const { app, channelId, dispose } = await createBenchApp(`${ctx.tmpDir}/throughput`, null);
  try {
    await seedStore(app, channelId, seeded, ctx.log);
    const now = Date.now();
    const rand = rng(5);
    const rows = Array.from({ length: fresh }, (_, i) => {
      const replyToSeed = rand() < 0.2;
      const replyToFresh = !replyToSeed && i > 0 && rand() < 0.3;
      const seedConv = Math.floor(rand() * (seeded / 5));
      return {
        id: newId(), channel_id: channelId, external_id: `fresh-${i}`, direction: 'in', kind: replyToSeed || replyToFresh ? 'reply' : 'post', visibility: 'public',
        author_platform_id: replyToSeed ? `seed-user-${seedConv}` : `fresh-user-${Math.floor(rand() * fresh)}`, author_handle: 'someone', author_display_name: 'Some One',
        text: ['my broadband is down again', 'charged twice for my bill', 'router lights red', 'thanks for the help'][i % 4]!,
        in_reply_to: replyToSeed ? `seed-${seedConv}-4` : replyToFresh ? `fresh-${Math.floor(rand() * i)}` : null,
        thread_key: null, created_at: now - (fresh - i) * 10, received_at: now, stage: 'understood',
        sentiment: i % 4 === 3 ? 'positive' : 'negative', intent: ['outage', 'billing', 'product_defect', 'praise'][i % 4]!, attachments: '[]', listening: 0, author_followers: 10, author_verified: 0,
      };
    });
    for (let i = 0; i < rows.length; i += 500) await app.store.db.insertInto('messages').values(rows.slice(i, i + 500)).execute();
    const stage = createCorrelateStage({ reopenWindowMs: 7 * 86_400_000, incidents: { autoConfirmConfidence: 0.95 } });
    const batch = app.config.workerBatch;
    const runBatch = (ids: string[]) =>
      app.uow(async (tx) => {
        const effects: (() => void)[] = [];
        await stage.handle({ messageIds: ids }, {
          repos: tx,
          now: Date.now(),
          enqueue: async (type, payload) => tx.jobs.enqueue([{ id: newId(), type, payload: JSON.stringify(payload), runAt: Date.now() }], Date.now()),
          afterCommit: (effect) => effects.push(effect),
        });
        for (const effect of effects) effect();
      });
    const ids = rows.map((r) => r.id);
    const started = performance.now();
    for (let i = 0; i < ids.length; i += batch) await runBatch(ids.slice(i, i + batch));
    const seconds = (performance.now() - started) / 1000;
    const done = await app.store.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('stage', '=', 'correlated').executeTakeFirstOrThrow();
    if (Number(done.n) !== fresh) throw new Error(`correlated ${String(done.n)} of ${fresh}`);
    ctx.log(`correlate: ${fresh} messages in ${seconds.toFixed(2)} s (batches of ${batch}) over ${seeded} stored`);
    return Math.round(fresh / seconds);
  } finally {
    await dispose();
  }
};

export const bench: BenchModule = {
  name: 'correlate',
  keys: ['threading_accuracy', 'correlate_msgs_per_s', 'correlate_seeded_messages'],
  async run(ctx) {
    const threading = await measureThreading(ctx);
    // The figure is with 1M messages stored (seeding takes a few minutes); PARLEY_BENCH_CORRELATE_SEED lowers it for a quick run.
    const seeded = Number(process.env.PARLEY_BENCH_CORRELATE_SEED ?? 1_000_000);
    const throughput = await measureThroughput(ctx, seeded, 20_000);
    return { threading_accuracy: Math.round(threading * 10_000) / 10_000, correlate_msgs_per_s: throughput, correlate_seeded_messages: seeded };
  },
};
