import { ageFloorScore, bandFor, type PriorityBand, type PriorityPart } from '../decide/priority.js';
import type { PriorityWeights } from '../decide/priority-weights.js';
import { compileRules, type CompiledRules, type RuleEvent } from '../decide/rules/evaluate-rules.js';
import type { JobContext, JobHandler } from '../jobs/definitions.js';
import type { Clock } from '../platform/clock.js';
import { newId } from '../platform/ids.js';
import type { Conversation } from '../repositories/conversations.repository.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';
import type { RuleRun } from '../repositories/rules.repository.js';
import { createDecideConfigCache, type DecideConfigCache } from './decide-config.js';
import { automaticAssignmentAudit, buildRuleContext, decisionStateOf } from './decide-context.js';
import { privateLinks, runRules, type PrivateLinkIssuer, type RuleRuntime } from './decide-rules.js';

declare module '../jobs/definitions.js' {
  interface JobPayloads {
    /** A scheduler tick: schedule rules whose interval has passed run over open conversations. */
    'decide.schedule': { at: number };
    /** The incident tracker suspected or confirmed an incident: incident_detected rules run over its conversations. */
    'decide.incident_detected': { incidents: { id: string; status: 'suspected' | 'confirmed' }[] };
    /** People changed conversations through the API: conversation_updated rules run on each. */
    'decide.conversation_updated': { changes: { conversationId: string; fields: string[]; by: string }[] };
  }
}

const MIN = 60_000;
/** Settings key: when each schedule rule last ran (epoch ms by rule id). */
export const SCHEDULE_LAST_RUN_KEY = 'decide.schedule_last_run';
/** Open conversations one schedule rule run looks at (most recently active first), and members per incident. */
const MAX_CONVERSATIONS_PER_RUN = 500;

export interface DecideEventDeps {
  config?: DecideConfigCache;
  publicUrl?: string;
  allowPrivateWebhooks?: boolean;
  onChanged?: (conversationIds: string[]) => void;
  onOutbox?: () => void;
  issuePrivateLink?: PrivateLinkIssuer;
}

const bandBounds = (band: PriorityBand, w: PriorityWeights): [number, number] =>
  band === 'low' ? [0, w.bands.normal - 0.01] : band === 'normal' ? [w.bands.normal, w.bands.high - 0.01] : band === 'high' ? [w.bands.high, w.bands.urgent - 0.01] : [w.bands.urgent, 100];

/**
 * Runs the rules for one event about one conversation outside the message flow (a timer, an incident, a person's
 * change): builds the context from its latest inbound message, executes what the rules plan (their own changes
 * chain on as `conversation_updated` with the causation, so they cannot loop), and writes the result.
 */
const fireOnConversation = async (
  rt: RuleRuntime,
  conv: Conversation,
  event: RuleEvent,
  weights: PriorityWeights,
  extra: Record<string, unknown>,
): Promise<{ runs: RuleRun[]; changed: boolean }> => {
  const { tx: repos, now } = rt;
  const lastIn = [...(await repos.messages.listByConversation(conv.id, 500))].reverse().find((m) => m.direction === 'in');
  const message = lastIn ? (await repos.messages.forPipeline([lastIn.id]))[0] : undefined;
  if (!message) return { runs: [], changed: false };
  const channel = (await repos.channels.getMany([conv.channelId]))[0];
  const customer = conv.customerId ? (await repos.rules.customerFacts([conv.customerId])).get(conv.customerId) : undefined;
  const state = decisionStateOf(conv);
  const target = { conversation: conv, channel, customer, messageId: null, inbound: { externalId: message.externalId, kind: message.kind, authorPlatformId: message.authorPlatformId, authorHandle: message.authorHandle, authorDisplayName: message.authorDisplayName, authorEmail: message.authorEmail } };
  const priority = { score: conv.priority, band: conv.priorityBand };
  const runs = await runRules(rt, target, state, event, () => ({ ...buildRuleContext({ message, conversation: conv, state, channel, customer, priority }), ...extra }));
  const tagsChanged = state.tags.join('\u0000') !== conv.tags.join('\u0000');
  const changed = tagsChanged || state.assigneeId !== conv.assigneeId || state.teamId !== conv.teamId || state.queue !== conv.queue || state.status !== conv.status || (state.bandOverride !== null && state.bandOverride !== conv.priorityBand);
  if (tagsChanged) await repos.rules.addTags(conv.id, state.tags, now);
  if (changed) {
    const assigned = automaticAssignmentAudit(conv, state, now);
    if (assigned) await repos.audit.append(assigned);
    const band = (state.bandOverride ?? conv.priorityBand) as PriorityBand;
    const [lo, hi] = bandBounds(band, weights);
    await repos.conversations.updateDecision({
      id: conv.id, priority: Math.round(Math.min(hi, Math.max(lo, conv.priority))), priorityBand: band, priorityParts: conv.priorityParts,
      assigneeId: state.assigneeId, teamId: state.teamId, queue: state.queue, slaDueAt: conv.slaDueAt, ...(state.status !== conv.status ? { status: state.status } : {}), now,
    });
  }
  return { runs, changed };
};

const runtimeFor = (deps: DecideEventDeps, ctx: JobContext, compiled: CompiledRules): RuleRuntime => ({
  tx: ctx.repos, now: ctx.now, compiled, enqueue: ctx.enqueue, publicUrl: deps.publicUrl ?? '', allowPrivateWebhooks: deps.allowPrivateWebhooks ?? false, macros: new Map(), sentReply: false, ...privateLinks(deps.issuePrivateLink, ctx.repos, ctx.now),
});

const finish = async (deps: DecideEventDeps, ctx: JobContext, rt: RuleRuntime, runs: RuleRun[], changed: string[]): Promise<void> => {
  await ctx.repos.rules.recordRuns(runs);
  ctx.afterCommit(() => {
    if (changed.length) deps.onChanged?.(changed);
    if (rt.sentReply) deps.onOutbox?.();
  });
};

const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * The age floor over time: a conversation scored when its message arrived is lifted once its wait for a response
 * passes the floor, so the inbox and routing see it rise without a new message. Only raises, never lowers.
 */
export const liftWaitingConversations = async (repos: Repositories, weights: PriorityWeights, now: number, limit = 2_000): Promise<string[]> => {
  const { afterMinutes, score } = weights.ageFloor;
  if (afterMinutes <= 0) return [];
  const lifted: string[] = [];
  // Conversations already at the floor's ceiling cannot rise further: leaving them out keeps a long backlog of old
  // ones from filling the batch every minute while newer ones wait to be lifted.
  const ceiling = Math.floor(score + weights.tierWidth - 0.01);
  for (const c of await repos.sla.awaitingResponse(now - afterMinutes * MIN, ceiling, limit)) {
    const waited = (now - c.startedAt) / MIN;
    const floor = ageFloorScore(waited, weights);
    if (floor === null || Math.floor(floor) <= c.priority) continue;
    const organic = c.priorityParts.filter((p) => p.name !== 'age_floor' && p.name !== 'reach' && p.name !== 'rule');
    const base = organic.reduce((sum, p) => sum + p.points, 0);
    const parts: PriorityPart[] = [
      ...organic,
      { name: 'age_floor', points: round2(Math.floor(floor) - base), why: `waiting ${Math.round(waited)} min: lifted so no one waits past ${weights.ageFloor.targetMinutes} min, oldest first` },
      { name: 'reach', points: 0, why: 'no reach bonus while lifted by waiting time' },
    ];
    if (await repos.sla.liftPriority(c.conversationId, Math.floor(floor), bandFor(Math.floor(floor), weights), parts, now)) lifted.push(c.conversationId);
  }
  return lifted;
};

/**
 * The scheduler's minute: lifts conversations past the age floor, queues the checks of resolution clocks whose
 * warning or due instant has passed, then runs the schedule rules that are due, each
 * every `everyMinutes` (default 60) over the open conversations its conditions match.
 */
export const createScheduleStage = (deps: DecideEventDeps): JobHandler<'decide.schedule'> => {
  const cache = deps.config ?? createDecideConfigCache();
  return {
    type: 'decide.schedule',
    merge: (payloads) => ({ at: Math.max(...payloads.map((p) => p.at)) }),
    async handle(_payload, ctx) {
      const { repos, now } = ctx;
      const config = await cache.load(repos);
      const lifted = await liftWaitingConversations(repos, config.weights, now);
      if (lifted.length) ctx.afterCommit(() => deps.onChanged?.(lifted));
      const longClocks = await repos.sla.longClocksToCheck(now, 1_000);
      if (longClocks.length) await ctx.enqueue('decide.sla_check', { clockIds: longClocks });
      const scheduled = config.rules.filter((r) => r.enabled && r.trigger === 'schedule');
      if (scheduled.length === 0) return;
      const lastRun = (await repos.settings.get<Record<string, number>>(SCHEDULE_LAST_RUN_KEY)) ?? {};
      // Ticks come about a minute apart; a few seconds of slack keep a rule on its interval despite jitter.
      const due = new Set(scheduled.filter((r) => now - (lastRun[r.id] ?? 0) >= (r.everyMinutes ?? 60) * MIN - 5_000).map((r) => r.id));
      if (due.size === 0) return;
      // Schedule rules not yet due stay out; every other trigger stays in, for the chain of changes the due ones make.
      const compiled = compileRules(config.rules.filter((r) => r.trigger !== 'schedule' || due.has(r.id)));
      const rt = runtimeFor(deps, ctx, compiled);
      const runs: RuleRun[] = [];
      const changed: string[] = [];
      for (const status of ['open', 'pending']) {
        for (const conv of await repos.conversations.list({ status }, null, MAX_CONVERSATIONS_PER_RUN)) {
          const r = await fireOnConversation(rt, conv, { id: `schedule:${now}:${conv.id}`, type: 'schedule' }, config.weights, { schedule: { at: now, waitingMinutes: Math.round((now - conv.lastMessageAt) / MIN) } });
          runs.push(...r.runs);
          if (r.changed) changed.push(conv.id);
        }
      }
      await repos.settings.set(SCHEDULE_LAST_RUN_KEY, { ...Object.fromEntries(Object.entries(lastRun).filter(([id]) => scheduled.some((r) => r.id === id))), ...Object.fromEntries([...due].map((id) => [id, now])) }, now);
      await finish(deps, ctx, rt, runs, changed);
    },
  };
};

/** incident_detected rules: once per incident and status, over the conversations grouped into it so far. */
export const createIncidentDetectedStage = (deps: DecideEventDeps): JobHandler<'decide.incident_detected'> => {
  const cache = deps.config ?? createDecideConfigCache();
  return {
    type: 'decide.incident_detected',
    merge: (payloads) => ({ incidents: payloads.flatMap((p) => p.incidents) }),
    async handle({ incidents }, ctx) {
      const { repos } = ctx;
      const config = await cache.load(repos);
      if (!config.compiled.byTrigger.has('incident_detected')) return;
      const rt = runtimeFor(deps, ctx, config.compiled);
      const runs: RuleRun[] = [];
      const changed: string[] = [];
      const seen = new Set<string>();
      for (const { id, status } of incidents) {
        if (seen.has(`${id}:${status}`)) continue;
        seen.add(`${id}:${status}`);
        const incident = await repos.incidents.get(id);
        if (!incident) continue;
        const facts = { id: incident.id, status, terms: incident.terms, memberCount: incident.memberCount, confidence: incident.confidence, platforms: Object.keys(incident.platforms) };
        const ids = (await repos.incidents.memberConversations(id)).slice(0, MAX_CONVERSATIONS_PER_RUN);
        for (const conv of await repos.conversations.getMany(ids)) {
          const r = await fireOnConversation(rt, conv, { id: `incident:${id}:${status}:${conv.id}`, type: 'incident_detected' }, config.weights, { incident: facts });
          runs.push(...r.runs);
          if (r.changed) changed.push(conv.id);
        }
      }
      await finish(deps, ctx, rt, runs, changed);
    },
  };
};

/**
 * conversation_updated rules on changes people make through the API (assign, status). The event carries no
 * causation (a person is the cause); what the rules then change chains on with theirs, so they cannot loop,
 * and rule changes never come back through this job.
 */
export const createConversationUpdatedStage = (deps: DecideEventDeps): JobHandler<'decide.conversation_updated'> => {
  const cache = deps.config ?? createDecideConfigCache();
  return {
    type: 'decide.conversation_updated',
    merge: (payloads) => ({ changes: payloads.flatMap((p) => p.changes) }),
    async handle({ changes }, ctx) {
      const { repos } = ctx;
      const config = await cache.load(repos);
      if (!config.compiled.byTrigger.has('conversation_updated')) return;
      const rt = runtimeFor(deps, ctx, config.compiled);
      const runs: RuleRun[] = [];
      const changed: string[] = [];
      for (const [i, change] of changes.entries()) {
        const conv = await repos.conversations.get(change.conversationId);
        if (!conv) continue;
        const r = await fireOnConversation(rt, conv, { id: `update:${change.conversationId}:${ctx.now}:${i}`, type: 'conversation_updated' }, config.weights, { change: { fields: change.fields, by: change.by } });
        runs.push(...r.runs);
        if (r.changed) changed.push(conv.id);
      }
      await finish(deps, ctx, rt, runs, changed);
    },
  };
};

/** Queues a conversation_updated event for a person's change, inside the caller's transaction. */
export const queueConversationUpdated = async (tx: Repositories, conversationId: string, fields: string[], by: string, now: number): Promise<void> => {
  await tx.jobs.enqueue([{ id: newId(), type: 'decide.conversation_updated', payload: JSON.stringify({ changes: [{ conversationId, fields, by }] }), runAt: now }], now);
};

/** Queues incident_detected for incidents the tracker just suspected or confirmed, inside the correlate transaction. */
export const queueIncidentDetected = async (tx: Repositories, incidents: { id: string; status: 'suspected' | 'confirmed' }[], now: number): Promise<void> => {
  if (incidents.length === 0) return;
  await tx.jobs.enqueue([{ id: newId(), type: 'decide.incident_detected', payload: JSON.stringify({ incidents }), runAt: now }], now);
};

/** The scheduler role's timer: a `decide.schedule` job every interval; the job decides which rules are due. */
export const createRuleScheduler = (deps: { uow: UnitOfWork; clock: Clock; intervalMs?: number; onError?: (err: unknown) => void }) => {
  const tick = async (): Promise<void> => {
    await deps.uow(async (tx) => {
      const now = deps.clock.now();
      await tx.jobs.enqueue([{ id: newId(), type: 'decide.schedule', payload: JSON.stringify({ at: now }), runAt: now }], now);
    });
  };
  return {
    tick,
    start(): () => void {
      const timer = setInterval(() => tick().catch((err: unknown) => deps.onError?.(err)), deps.intervalMs ?? MIN);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
};
