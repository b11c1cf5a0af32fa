import type { Urgency } from '../classifier/types.js';
import { bandFor, scorePriority, type PriorityBand, type PriorityResult } from '../decide/priority.js';
import type { PriorityWeights } from '../decide/priority-weights.js';
import { chooseAssignee, INITIAL_ROUTING_STATE, type RoutingAgent, type RoutingState } from '../decide/routing.js';
import type { JobHandler } from '../jobs/definitions.js';
import { mergeMessageIds } from '../jobs/definitions.js';
import type { AgentProfile } from '../repositories/users.repository.js';
import { foldedView, type FoldedActivity } from '../repositories/conversations.repository.js';
import type { MessageClassification, PipelineMessage } from '../repositories/messages.repository.js';
import type { SlaClockRecord } from '../repositories/sla.repository.js';
import { createDecideConfigCache, type DecideConfigCache } from './decide-config.js';
import { acknowledgeLateMember, joinConfirmedIncident, loadBatchIncidents } from './decide-incidents.js';
import { automaticAssignmentAudit, buildRuleContext, classificationRecordOf, decisionStateOf } from './decide-context.js';
import { privateLinks, rulesMayReply, runRules, type PrivateLinkIssuer, type RuleRuntime } from './decide-rules.js';
import { dueOf, isResponseClock, responseClockKeys, scheduleCheckBatch, selectPolicy, startClock, stateOf, policyById, syncClocks } from './decide-sla.js';
import { pushTo } from '../../shared/collections.js';

/** Skills are stored as names: `lang:en`, `intent:billing`, `channel:x`; no intent or channel skill means any. */
export const toRoutingAgent = (a: AgentProfile, load: number): RoutingAgent => {
  const pick = (prefix: string) => a.skills.filter((s) => s.startsWith(prefix)).map((s) => s.slice(prefix.length));
  const intents = pick('intent:');
  const channels = pick('channel:');
  return {
    id: a.id,
    status: a.status === 'online' || a.status === 'away' ? a.status : 'offline',
    teams: a.teamIds,
    skills: { languages: pick('lang:'), intents: intents.length ? intents : ['*'], channels: channels.length ? channels : ['*'] },
    capacity: Math.max(1, a.capacity),
    load,
  };
};

/** What priority takes from the classifier: handed over by understand when chained, else read from the record. */
const readUnderstanding = (m: PipelineMessage, handed: MessageClassification | undefined): { negative: number; escalation: readonly string[] } => {
  if (handed?.negative !== undefined && handed.escalation && handed.classifications === m.classifications) return { negative: handed.negative, escalation: handed.escalation };
  if (!m.classifications) return { negative: 0, escalation: [] };
  const c = classificationRecordOf(m) as { sentiment?: { scores?: { negative?: number } }; escalation?: string[] };
  return { negative: c.sentiment?.scores?.negative ?? 0, escalation: c.escalation ?? [] };
};

/** A rule's band wins over the score's; the score is clamped into that band so sorting agrees with the label. */
const applyBand = (p: PriorityResult, band: PriorityBand | null, w: PriorityWeights): PriorityResult => {
  if (band === null || band === p.band) return p;
  const floor = band === 'low' ? 0 : w.bands[band];
  const ceiling = band === 'urgent' ? 100 : band === 'high' ? w.bands.urgent - 0.01 : band === 'normal' ? w.bands.high - 0.01 : w.bands.normal - 0.01;
  const score = Math.min(ceiling, Math.max(floor, p.score));
  return { ...p, score, band: bandFor(score, w), parts: [...p.parts, { name: 'rule', points: Math.round((score - p.score) * 100) / 100, why: `an automation rule set priority ${band}` }] };
};

export interface DecideStageDeps {
  config?: DecideConfigCache;
  /** Base of links in automated private-conversation hand-offs. */
  publicUrl?: string;
  /** Lets rules notify webhooks on private or loopback addresses (self-hosted chat servers on the LAN). */
  allowPrivateWebhooks?: boolean;
  marketingTeamId?: () => string | null;
  onChanged?: (conversationIds: string[]) => void;
  /** Called after commit when rules queued replies, to wake the outbox. */
  onOutbox?: () => void;
  /** Issues a signed private hand-off link for the `send_private_link` action, in the stage's transaction. */
  issuePrivateLink?: PrivateLinkIssuer;
}

/** Priority with the fairness guard, automation rules, SLA clocks from the workspace's policies, and routing, per conversation. */
export const createDecideStage = (deps: DecideStageDeps): JobHandler<'pipeline.decide'> => {
  const cache = deps.config ?? createDecideConfigCache();
  let routingState: RoutingState = INITIAL_ROUTING_STATE;
  let routingCache: { at: number; agents: RoutingAgent[] } | null = null;
  const routingCacheMs = 2_000;
  // Open conversations per agent, counted at `at` and kept current by the assignments made since. Counting scans
  // every open assigned conversation, so it is done again every 2 s only while that takes under 10 ms: a larger
  // inbox is counted less often (at 60 ms, every 12 s), the scan kept to 0.5% of the time. Who is online, and
  // their capacity and skills, are read every 2 s.
  let loadCache: { at: number; load: Map<string, number>; tookMs: number } | null = null;
  return {
    type: 'pipeline.decide',
    // Idempotent (each message's stage marker); what it does leaves the store only through later jobs (see JobHandler.redoable).
    redoable: true,
    merge: mergeMessageIds,
    async handle({ messageIds }, ctx) {
      const { repos, now } = ctx;
      // Chained after correlate, the messages come handed over as correlate left them, with the conversations it
      // opened and the correlations it made, left for this stage to write, each once with its decision.
      const handed = ctx.takeOver?.('pipeline.decide');
      const messages = (handed?.messages ?? (await repos.messages.forPipeline(messageIds))).filter((m) => m.stage === 'correlated');
      let opening = handed?.opening ?? [];
      let unsaved = handed?.unsaved ?? [];
      // Understand's results for the customers' messages, handed over with them (kept when they are written early).
      const understood = new Map(unsaved.map((c) => [c.id, c.understood]));
      let folds: ReadonlyMap<string, FoldedActivity> = handed?.folded ?? new Map();
      // What correlate left, written as it would have: for work below that needs it in the store. The conversations
      // (those it opened, and the batch's activity on the others) alone, or with the messages.
      const writeConversationsLeft = async (): Promise<void> => {
        await repos.conversations.createMany(opening);
        await repos.conversations.recordFolded(folds);
        opening = [];
        folds = new Map();
      };
      const writeLeft = async (): Promise<void> => {
        await writeConversationsLeft();
        await repos.messages.saveCorrelation(unsaved);
        unsaved = [];
      };
      if (messages.length === 0) {
        await writeLeft();
        return;
      }
      const config = await cache.load(repos);
      // Rules that reply write to the conversation's row as they run (its last message and unread count; a private
      // link is issued for a conversation the store holds): the row must be there first, with the batch's activity.
      if (rulesMayReply(config.compiled)) await writeConversationsLeft();
      const inbound = new Map<string, PipelineMessage[]>();
      const touched = new Set<string>();
      // Our own replies, earliest per conversation: the first response where none was recorded yet.
      const replies = new Map<string, number>();
      for (const m of [...messages].sort((a, b) => a.createdAt - b.createdAt)) {
        if (!m.conversationId) continue;
        touched.add(m.conversationId);
        if (m.direction === 'out') {
          if (!replies.has(m.conversationId)) replies.set(m.conversationId, m.createdAt);
        } else {
          const list = inbound.get(m.conversationId);
          if (list) list.push(m);
          else inbound.set(m.conversationId, [m]);
        }
      }
      await repos.conversations.recordFirstResponses([...replies].map(([id, at]) => ({ id, at })));
      const openingById = new Map(opening.map((c) => [c.id, c]));
      // Those whose activity is left to this stage are read as it will leave them (written with the decision).
      const conversations = (await repos.conversations.getMany([...touched].filter((id) => !openingById.has(id)))).map((c) => {
        const fold = folds.get(c.id);
        return fold ? foldedView(c, fold) : c;
      });
      if (opening.length > 0) {
        // As getMany would read them once inserted, in its order (by id).
        conversations.push(...opening.map((c) => repos.conversations.opening(c)));
        conversations.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      }
      const channels = new Map((await repos.channels.getMany([...new Set(conversations.map((c) => c.channelId))])).map((c) => [c.id, c]));
      const customers = await repos.rules.customerFacts([...new Set(conversations.map((c) => c.customerId).filter((id): id is string => id !== null))]);
      // A conversation being opened has no clocks yet: decide starts them.
      const openClocks = await repos.sla.openClocks([...touched].filter((id) => !openingById.has(id)));
      // Whether each running response clock has been met, read once for the batch instead of once per clock.
      const responses = await repos.sla.firstResponsesSince(responseClockKeys(openClocks));
      const incidents = await loadBatchIncidents(repos, [...inbound.values()].flat(), conversations);
      // A post may join a confirmed incident, which finds its conversation through it and writes to the row, and a
      // late member of one gets its acknowledgement, a reply written to the row: both must be there first, with the
      // batch's activity (byId holds the same confirmed incidents as joinable).
      if (incidents.joinable.length > 0) {
        await writeLeft();
        openingById.clear();
      }
      const joins = new Map<string, string[]>();
      const rt: RuleRuntime = { tx: repos, now, compiled: config.compiled, enqueue: ctx.enqueue, publicUrl: deps.publicUrl ?? '', allowPrivateWebhooks: deps.allowPrivateWebhooks ?? false, macros: new Map(), sentReply: false, auditLater: [], ...privateLinks(deps.issuePrivateLink, repos, now) };
      const runs = [];
      const messageRules = config.compiled.byTrigger.has('message_created');
      let agents: RoutingAgent[] | null = null;
      // Written together after the loop: one statement per chunk instead of one per conversation.
      const newClocks: SlaClockRecord[] = [];
      const decisions: Parameters<typeof repos.conversations.updateDecisions>[0][number][] = [];

      for (const conv of conversations) {
        const batch = inbound.get(conv.id);
        if (!batch) {
          // Only our own replies arrived: they may meet a running clock.
          const open = await syncClocks(repos, conv, openClocks.get(conv.id) ?? [], config.policies, now, ctx.enqueue, responses);
          decisions.push({ id: conv.id, priority: conv.priority, priorityBand: conv.priorityBand, priorityParts: conv.priorityParts, assigneeId: conv.assigneeId, teamId: conv.teamId, queue: conv.queue, slaDueAt: dueOf(open), now });
          continue;
        }
        const m = batch[batch.length - 1] as PipelineMessage;
        const channel = channels.get(conv.channelId);
        const customer = conv.customerId ? customers.get(conv.customerId) : undefined;
        const state = decisionStateOf(conv);
        // The customer answered: whatever we were waiting on them for has arrived, and the clock runs again.
        if (state.status === 'pending') state.status = 'open';

        // No open clock (every conversation being opened): nothing to sync, and no await per conversation.
        const clocks = openClocks.get(conv.id);
        let open: SlaClockRecord[] = clocks?.length ? await syncClocks(repos, { id: conv.id, status: state.status }, clocks, config.policies, now, ctx.enqueue, responses) : [];
        const running = open.find((c) => isResponseClock(c) && c.dueAt !== null);
        const u = readUnderstanding(m, understood.get(m.id));
        const waitingFrom = running?.startedAt ?? (conv.firstResponseAt === null ? conv.createdAt : (batch[0]?.createdAt ?? m.createdAt));
        const priority = scorePriority(
          {
            intent: m.intent ?? 'other',
            urgency: (m.urgency ?? 'normal') as Urgency,
            negativeSentiment: u.negative,
            escalation: u.escalation,
            waitingMinutes: Math.max(0, (now - waitingFrom) / 60_000),
            minutesToBreach: running?.dueAt != null ? (running.dueAt - now) / 60_000 : null,
            followers: m.authorFollowers,
          },
          config.weights,
        );

        // Without message rules nothing below would fire: the per-message targets, events and promises are skipped.
        if (messageRules) {
          for (const msg of batch) {
            const target = { conversation: conv, channel, customer, messageId: msg.id, inbound: { externalId: msg.externalId, kind: msg.kind, authorPlatformId: msg.authorPlatformId, authorHandle: msg.authorHandle, authorDisplayName: msg.authorDisplayName, authorEmail: msg.authorEmail } };
            runs.push(...(await runRules(rt, target, state, { id: `message:${msg.id}`, type: 'message_created' }, () => buildRuleContext({ message: msg, conversation: conv, state, channel, customer, priority }))));
          }
        }
        const final = applyBand(priority, state.bandOverride, config.weights);

        // During a confirmed outage a matching post joins the incident; a member arriving after its acknowledgement
        // gets that acknowledgement now (the supervisor's fan-out reached only the members it knew of).
        let acknowledged = false;
        if (state.status !== 'closed' && state.status !== 'resolved' && !m.spam) {
          let incidentId = conv.incidentId;
          const join = incidentId === null ? joinConfirmedIncident(incidents, batch, channel) : null;
          if (join) {
            incidentId = join.incidentId;
            pushTo(joins, incidentId, ...join.messageIds);
          }
          if (incidentId !== null && (acknowledged = await acknowledgeLateMember(repos, incidents.byId.get(incidentId), conv, channel, m, now, deps.publicUrl ?? null))) {
            rt.sentReply = true;
            // The acknowledgement is this conversation's response: the running response clocks are met by it.
            const met = new Map(open.filter(isResponseClock).map((c) => [`${conv.id}\u0000${c.startedAt}`, now]));
            open = await syncClocks(repos, { id: conv.id, status: state.status }, open, config.policies, now, ctx.enqueue, met);
          }
        }

        if (state.status !== 'closed' && state.status !== 'resolved') {
          const policy = selectPolicy(config.policies, { platform: channel?.platform ?? 'unknown', visibility: conv.visibility });
          const key = { conversationId: conv.id, policy, platform: channel?.platform ?? 'unknown', band: final.band, tier: customer?.tier ?? 'standard' };
          const opened = Math.min(conv.createdAt, batch[0]?.createdAt ?? conv.createdAt);
          const started: SlaClockRecord[] = [];
          if (!open.some(isResponseClock) && !acknowledged) {
            const metric = conv.firstResponseAt === null ? 'first_response' : 'next_response';
            started.push(startClock({ ...key, metric, startedAt: metric === 'first_response' ? opened : (batch[0]?.createdAt ?? m.createdAt) }));
          }
          // The resolution clock runs from the conversation's opening (or its reopening) to its resolution.
          if (open.every(isResponseClock)) started.push(startClock({ ...key, metric: 'resolution', startedAt: conv.firstResponseAt === null ? opened : (batch[0]?.createdAt ?? m.createdAt) }));
          for (const clock of started) newClocks.push(clock);
          open = [...open, ...started];
        } else if (state.status === 'closed' || state.status === 'resolved') {
          open = await syncClocks(repos, { id: conv.id, status: state.status }, open, config.policies, now, ctx.enqueue, responses);
        }
        const dueAt = dueOf(open);

        // A post the incident's acknowledgement answered waits in its queue for the resolution notice, not for an agent.
        if (!acknowledged && !state.assignedByRule && state.assigneeId === null && state.queue !== 'supervisor' && (state.status === 'open' || state.status === 'pending')) {
          if (m.spam) state.queue = 'spam';
          else {
            if (!agents) {
              // Agents and their load, reused for a few seconds and kept current by the assignments made since
              // (agent.load += 1 below); the load is counted less often when counting is slow (see loadCache).
              if (!routingCache || now - routingCache.at > routingCacheMs || now < routingCache.at) {
                if (!loadCache || now - loadCache.at > Math.max(routingCacheMs, 200 * loadCache.tookMs) || now < loadCache.at) {
                  const started = performance.now();
                  const load = await repos.conversations.openLoadByAssignee();
                  loadCache = { at: now, load, tookMs: performance.now() - started };
                }
                const load = loadCache.load;
                routingCache = { at: now, agents: (await repos.users.agentsForRouting()).map((a) => toRoutingAgent(a, load.get(a.id) ?? 0)) };
              }
              agents = routingCache.agents;
            }
            const clock = open.find(isResponseClock) ?? open[0];
            const sla = clock ? stateOf(clock, policyById(config.policies, clock.policyId), now) : null;
            const decision = chooseAssignee(
              { id: conv.id, language: m.language ?? 'und', intent: m.intent ?? 'other', channel: channel?.platform ?? 'unknown', band: final.band, sla, needsResponse: m.needsResponse },
              agents,
              routingState,
            );
            routingState = decision.state;
            if (decision.kind === 'agent') {
              state.assigneeId = decision.agentId;
              state.queue = 'service';
              const agent = agents.find((a) => a.id === decision.agentId);
              if (agent) agent.load += 1;
              loadCache?.load.set(decision.agentId, (loadCache.load.get(decision.agentId) ?? 0) + 1);
              state.teamId = agent?.teams[0] ?? state.teamId;
            } else {
              state.queue = decision.queue === 'team' ? 'service' : decision.queue;
              state.teamId = decision.queue === 'marketing' ? (deps.marketingTeamId?.() ?? state.teamId) : (decision.teamId ?? state.teamId);
            }
          }
        }
        const assigned = automaticAssignmentAudit(conv, state, now);
        if (assigned) rt.auditLater?.push(assigned);
        decisions.push({
          id: conv.id,
          priority: Math.round(final.score),
          priorityBand: final.band,
          priorityParts: final.parts,
          assigneeId: state.assigneeId,
          teamId: state.teamId,
          queue: state.queue,
          slaDueAt: dueAt,
          ...(state.status !== conv.status ? { status: state.status } : {}),
          // Rules only add tags, to the ones read with the conversation in this transaction: written with the decision.
          ...(state.tags.join('\u0000') !== conv.tags.join('\u0000') ? { tags: state.tags } : {}),
          now,
        });
      }
      for (const [incidentId, ids] of joins) await repos.incidents.attachMembers(incidentId, ids);
      await repos.sla.insertClocks(newClocks);
      await scheduleCheckBatch(newClocks, ctx.enqueue);
      const decided = new Set<string>();
      await repos.conversations.createDecided(
        decisions.flatMap((d) => {
          const opened = openingById.get(d.id);
          if (opened) decided.add(d.id);
          return opened ? [{ opening: opened, decision: d }] : [];
        }),
      );
      // Every conversation gets a decision above. Should one not, fail the transaction rather than lose the row: the
      // stages then run one transaction each, correlate inserting it.
      if (decided.size !== openingById.size) throw new Error('a conversation correlate left to decide got no decision');
      const withActivity = decisions.flatMap((d) => {
        const fold = folds.get(d.id);
        return fold ? [{ fold, decision: d }] : [];
      });
      if (withActivity.length !== folds.size) throw new Error('a conversation correlate left to decide got no decision');
      await repos.conversations.updateFoldedDecisions(withActivity);
      await repos.conversations.updateDecisions(decisions.filter((d) => !decided.has(d.id) && !folds.has(d.id)));
      await repos.rules.recordRuns(runs);
      const left = new Set(unsaved.map((c) => c.id));
      await repos.messages.markDecided(messages.flatMap((m) => (left.has(m.id) ? [] : [m.id])), now);
      await repos.messages.saveDecided(unsaved, now);
      // Last in the transaction: the audit chain's head stays locked only until the batch commits.
      await repos.audit.appendMany(rt.auditLater ?? []);
      const changed = [...touched];
      ctx.afterCommit(() => {
        deps.onChanged?.(changed);
        if (rt.sentReply) deps.onOutbox?.();
      });
    },
  };
};
