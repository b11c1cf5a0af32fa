import { sql } from 'kysely';
import type { BenchContext, BenchModule } from './types.js';
import { createBenchApp } from './support/bench-app.js';
import { generateEnvelopes } from './support/envelopes.js';
import type { AnyJobHandler, JobContext, JobType } from '../src/server/jobs/definitions.js';
import { createCorrelateStage } from '../src/server/pipeline/correlate.js';
import { createDecideStage } from '../src/server/pipeline/decide.js';
import { createUnderstandStage } from '../src/server/pipeline/understand.js';
import { newId } from '../src/server/platform/ids.js';
import { systemActor } from '../src/shared/permissions.js';
import { scorePriority, type PriorityInput } from '../src/server/decide/priority.js';
import { chooseAssignee, INITIAL_ROUTING_STATE, type RoutableConversation, type RoutingAgent } from '../src/server/decide/routing.js';
import { compileRules, evaluateRules } from '../src/server/decide/rules/evaluate-rules.js';
import { ruleSchema, type Rule } from '../src/server/decide/rules/rule-schema.js';
import { createRandom, type Random } from '../src/server/decide/simulator/random.js';

const INTENTS = ['outage', 'billing', 'delivery', 'technical', 'question', 'complaint', 'cancellation', 'praise', 'promotion', 'other'];
const CHANNELS = ['x', 'facebook', 'instagram', 'email', 'whatsapp', 'bluesky'];
const WORDS = 'my order never arrived refund charged twice app crashes login fails thanks great service where is cancel subscription outage down again support please help today account locked password'.split(' ');
const LANGS = ['en', 'en', 'en', 'es', 'fr'];

/** 100 realistic rules: keyword and regex matches, classifier and reach thresholds, nested groups, several triggers. */
export function benchRules(r: Random): Rule[] {
  const rules: Rule[] = [];
  for (let i = 0; i < 100; i++) {
    const kind = i % 5;
    const trigger = i % 10 < 7 ? 'message_created' : i % 10 < 9 ? 'conversation_updated' : 'sla_warning';
    const conditions =
      kind === 0
        ? { all: [{ field: 'message.text', op: 'contains', value: `${r.pick(WORDS)} ${r.pick(WORDS)}` }] }
        : kind === 1
          ? { all: [{ field: 'message.text', op: 'regex', value: `\\b(${r.pick(WORDS)}|${r.pick(WORDS)})\\b` }, { field: 'channel', op: 'in', value: [r.pick(CHANNELS), r.pick(CHANNELS)] }] }
          : kind === 2
            ? { all: [{ field: 'author.followers', op: 'gte', value: r.int(1, 6) * 10_000 }, { field: 'classification.intent.label', op: 'eq', value: r.pick(INTENTS) }] }
            : kind === 3
              ? { any: [{ field: 'customer.tier', op: 'eq', value: 'vip' }, { all: [{ field: 'classification.urgency', op: 'in', value: ['high', 'critical'] }, { field: 'classification.sentiment.scores.negative', op: 'gt', value: 0.7 }] }] }
              : { all: [{ field: 'classification.escalation', op: 'contains', value: r.pick(['regulator', 'legal', 'press']) }, { field: 'message.text', op: 'not_contains', value: r.pick(WORDS) }] };
    rules.push(ruleSchema.parse({ id: `rule-${i}`, name: `Rule ${i}`, trigger, conditions, actions: [{ type: 'tag', tags: [`t${i}`] }] }));
  }
  return rules;
}

interface BenchMessage {
  priority: PriorityInput;
  conversation: RoutableConversation;
  context: Record<string, unknown>;
}

export function benchMessages(r: Random, count: number): BenchMessage[] {
  return Array.from({ length: count }, (_, i) => {
    const intent = r.pick(INTENTS);
    const channel = r.pick(CHANNELS);
    const language = r.pick(LANGS);
    const followers = Math.round(r.lognormal(150, 2));
    const negative = r.next();
    const urgency = r.pick(['low', 'normal', 'high', 'critical'] as const);
    const escalation = r.chance(0.05) ? [r.pick(['regulator', 'legal', 'press', 'cancellation'])] : [];
    const text = Array.from({ length: r.int(8, 40) }, () => r.pick(WORDS)).join(' ');
    return {
      priority: { intent, urgency, negativeSentiment: negative, escalation, waitingMinutes: r.next() * 60, minutesToBreach: r.next() * 120, followers },
      conversation: { id: `c${i}`, language, intent, channel, band: 'normal', sla: 'ok', needsResponse: r.chance(0.8) },
      context: {
        channel,
        message: { text },
        author: { followers },
        customer: { tier: r.chance(0.05) ? 'vip' : 'standard' },
        classification: { intent: { label: intent, score: 0.8 }, urgency, escalation, sentiment: { scores: { negative } } },
      },
    };
  });
}

export function benchAgents(): RoutingAgent[] {
  return Array.from({ length: 12 }, (_, i) => ({
    id: `agent-${i}`,
    status: i % 6 === 5 ? 'away' : 'online',
    teams: ['care'],
    skills: { languages: i % 3 === 0 ? ['en', 'es'] : i % 3 === 1 ? ['en', 'fr'] : ['en'], intents: ['*'], channels: ['*'] },
    capacity: 5,
    load: i % 5,
  }));
}

/**
 * Priority + routing + 100 compiled rules per message, on the calling thread only; repeats passes over
 * the same messages until `minSeconds` have been measured (after one warm-up pass for JIT and regexes).
 */
export function measureDecide(options: { messages: number; minSeconds: number }): { msgsPerS: number; plannedPerMessage: number } {
  const r = createRandom(42);
  const rules = compileRules(benchRules(r));
  const messages = benchMessages(r, options.messages);
  const agents = benchAgents();
  let state = INITIAL_ROUTING_STATE;
  let planned = 0;
  const pass = (): void => {
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i] as BenchMessage;
      const p = scorePriority(m.priority);
      const d = chooseAssignee({ ...m.conversation, band: p.band }, agents, state);
      state = d.state;
      planned += evaluateRules(rules, { id: m.conversation.id, type: 'message_created' }, m.context).length;
    }
  };
  pass();
  const plannedPerMessage = planned / messages.length;
  let passes = 0;
  const start = process.hrtime.bigint();
  let seconds = 0;
  do {
    pass();
    passes++;
    seconds = Number(process.hrtime.bigint() - start) / 1e9;
  } while (seconds < options.minSeconds);
  return { msgsPerS: (messages.length * passes) / seconds, plannedPerMessage };
}

type App = Awaited<ReturnType<typeof createBenchApp>>['app'];

/** Claims ready jobs of `types` and runs them as the worker does (payloads merged, ≤ 500 messages a transaction) until none is left. */
const runStages = async (app: App, handlers: readonly AnyJobHandler[]): Promise<number> => {
  const byType = new Map(handlers.map((h) => [h.type, h]));
  const workerId = `bench-${newId()}`;
  let messages = 0;
  for (;;) {
    const claimed = await app.repos.jobs.claim(workerId, 50, Date.now(), 60_000, [...byType.keys()]);
    if (claimed.length === 0) return messages;
    for (const type of new Set(claimed.map((j) => j.type))) {
      const handler = byType.get(type as JobType) as AnyJobHandler;
      const jobs = claimed.filter((j) => j.type === type);
      for (let i = 0; i < jobs.length; ) {
        const group: typeof jobs = [];
        let size = 0;
        for (; i < jobs.length; i++) {
          const n = (JSON.parse((jobs[i] as (typeof jobs)[number]).payload) as { messageIds?: string[] }).messageIds?.length ?? 1;
          if (group.length > 0 && size + n > 500) break;
          group.push(jobs[i] as (typeof jobs)[number]);
          size += n;
        }
        const payloads = group.map((j) => JSON.parse(j.payload) as never);
        const merged = handler.merge && payloads.length > 1 ? (handler.merge as (p: unknown[]) => unknown)(payloads) : payloads[0];
        await app.uow(async (tx) => {
          const now = Date.now();
          const followUps: { id: string; type: string; payload: string; runAt: number }[] = [];
          const ctx: JobContext = { repos: tx, now, enqueue: async (t, payload, runAt) => void followUps.push({ id: newId(), type: t, payload: JSON.stringify(payload), runAt: runAt ?? now }), afterCommit: () => undefined };
          await (handler.handle as (p: unknown, c: JobContext) => Promise<void>)(merged, ctx);
          await tx.jobs.enqueue(followUps, now);
          await tx.jobs.complete(group.map((j) => j.id), workerId);
        });
        messages += size;
      }
    }
  }
};

/**
 * The decide stage as it runs in service, over the embedded SQLite store: 10,000 messages already understood and
 * correlated, 100 rules active; reads conversations, channels, customers and clocks, scores, runs the rules, starts
 * SLA clocks, routes, writes decisions and rule runs, and queues the SLA checks, in the worker's batches.
 */
export const measureDecideStage = async (ctx: BenchContext, count: number): Promise<{ msgsPerS: number; runs: number }> => {
  const { app, channelId, dispose } = await createBenchApp(`${ctx.tmpDir}/stage`, null);
  try {
    const actor = systemActor('bench');
    for (const rule of benchRules(createRandom(42))) {
      const { id: _id, ...input } = rule;
      await app.services.rules.create(input, actor);
    }
    const envelopes = generateEnvelopes(channelId, count, { spanMs: 60_000 });
    for (let i = 0; i < envelopes.length; i += 1000) await app.services.ingest(envelopes.slice(i, i + 1000));
    await runStages(app, [createUnderstandStage({ classifier: app.classifier }), createCorrelateStage({ reopenWindowMs: 7 * 24 * 60 * 60 * 1000, incidents: { autoConfirmConfidence: 0.95 } })]);
    const started = performance.now();
    const decided = await runStages(app, [createDecideStage({})]);
    const seconds = (performance.now() - started) / 1000;
    const runs = Number((await sql<{ n: number }>`select count(*) as n from rule_runs`.execute(app.store.db)).rows[0]?.n ?? 0);
    return { msgsPerS: decided / seconds, runs };
  } finally {
    await dispose();
  }
};

export const bench: BenchModule = {
  name: 'decide',
  keys: ['decide_msgs_per_s', 'decide_stage_sqlite_msgs_per_s'],
  async run(ctx) {
    const { msgsPerS, plannedPerMessage } = measureDecide({ messages: 10_000, minSeconds: 2 });
    ctx.log(`decide: ${Math.round(msgsPerS)} msgs/s with 100 rules, ${plannedPerMessage.toFixed(2)} planned actions per message (priority, routing and rules, no store)`);
    const stage = await measureDecideStage(ctx, 10_000);
    ctx.log(`decide stage over SQLite: ${Math.round(stage.msgsPerS)} msgs/s with 100 rules (${stage.runs} rule runs recorded)`);
    return { decide_msgs_per_s: Math.round(msgsPerS), decide_stage_sqlite_msgs_per_s: Math.round(stage.msgsPerS) };
  },
};
