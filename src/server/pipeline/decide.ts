import type { Urgency } from '../classifier/types.js';
import { scorePriority, type PriorityBand } from '../decide/priority.js';
import { chooseAssignee, INITIAL_ROUTING_STATE, type RoutingAgent, type RoutingState } from '../decide/routing.js';
import type { JobHandler } from '../jobs/definitions.js';
import { mergeMessageIds } from '../jobs/definitions.js';
import type { AgentProfile } from '../repositories/users.repository.js';
import type { PipelineMessage } from '../repositories/messages.repository.js';

/** First-response targets in minutes by visibility and band, until per-workspace SLA policies apply. */
const firstResponseMinutes: Record<'public' | 'private', Record<PriorityBand, number>> = {
  public: { urgent: 15, high: 30, normal: 60, low: 240 },
  private: { urgent: 60, high: 120, normal: 240, low: 480 },
};

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

interface Understood {
  negative: number;
  escalation: string[];
}

const readUnderstanding = (m: PipelineMessage): Understood => {
  if (!m.classifications) return { negative: 0, escalation: [] };
  const c = JSON.parse(m.classifications) as { sentiment?: { scores?: { negative?: number } }; escalation?: string[] };
  return { negative: c.sentiment?.scores?.negative ?? 0, escalation: c.escalation ?? [] };
};

/** Priority with the fairness guard, an SLA clock, and assignment to a skilled agent with room, per conversation. */
export const createDecideStage = (deps: { marketingTeamId?: () => string | null; onChanged?: (conversationIds: string[]) => void }): JobHandler<'pipeline.decide'> => {
  let routingState: RoutingState = INITIAL_ROUTING_STATE;
  return {
    type: 'pipeline.decide',
    merge: mergeMessageIds,
    async handle({ messageIds }, ctx) {
      const { repos, now } = ctx;
      const messages = (await repos.messages.forPipeline(messageIds)).filter((m) => m.stage === 'correlated');
      if (messages.length === 0) return;
      const latestInbound = new Map<string, PipelineMessage>();
      for (const m of messages) {
        if (!m.conversationId) continue;
        if (m.direction === 'out') {
          await repos.conversations.recordFirstResponse(m.conversationId, m.createdAt);
          continue;
        }
        const prev = latestInbound.get(m.conversationId);
        if (!prev || prev.createdAt <= m.createdAt) latestInbound.set(m.conversationId, m);
      }
      const conversations = await repos.conversations.getMany([...latestInbound.keys()]);
      let agents: RoutingAgent[] | null = null;
      const channels = new Map((await repos.channels.getMany([...new Set(conversations.map((c) => c.channelId))])).map((c) => [c.id, c]));

      for (const conv of conversations) {
        const m = latestInbound.get(conv.id)!;
        const u = readUnderstanding(m);
        const waitingFrom = conv.firstResponseAt === null ? conv.createdAt : (conv.lastInboundAt ?? m.createdAt);
        const slaDue = conv.slaDueAt;
        const priority = scorePriority({
          intent: m.intent ?? 'other',
          urgency: (m.urgency ?? 'normal') as Urgency,
          negativeSentiment: u.negative,
          escalation: u.escalation,
          waitingMinutes: Math.max(0, (now - waitingFrom) / 60_000),
          minutesToBreach: slaDue === null ? null : (slaDue - now) / 60_000,
          followers: m.authorFollowers,
        });
        const visibility = conv.visibility === 'private' ? 'private' : 'public';
        const dueAt = conv.firstResponseAt === null ? Math.min(slaDue ?? Infinity, waitingFrom + firstResponseMinutes[visibility][priority.band] * 60_000) : slaDue;

        let assigneeId = conv.assigneeId;
        let teamId = conv.teamId;
        let queue = conv.queue;
        if (m.spam) {
          queue = 'spam';
        } else if (assigneeId === null && (conv.status === 'open' || conv.status === 'pending')) {
          if (!agents) {
            const load = await repos.conversations.openLoadByAssignee();
            agents = (await repos.users.agentsForRouting()).map((a) => toRoutingAgent(a, load.get(a.id) ?? 0));
          }
          const slaState = dueAt === null ? null : dueAt < now ? 'breached' : dueAt - now < 10 * 60_000 ? 'warning' : 'ok';
          const decision = chooseAssignee(
            { id: conv.id, language: m.language ?? 'und', intent: m.intent ?? 'other', channel: channels.get(conv.channelId)?.platform ?? 'unknown', band: priority.band, sla: slaState, needsResponse: m.needsResponse },
            agents,
            routingState,
          );
          routingState = decision.state;
          if (decision.kind === 'agent') {
            assigneeId = decision.agentId;
            queue = 'service';
            const agent = agents.find((a) => a.id === decision.agentId);
            if (agent) agent.load += 1;
            teamId = agent?.teams[0] ?? teamId;
          } else {
            queue = decision.queue === 'team' ? 'service' : decision.queue;
            teamId = decision.queue === 'marketing' ? (deps.marketingTeamId?.() ?? teamId) : (decision.teamId ?? teamId);
          }
        }
        await repos.conversations.updateDecision({
          id: conv.id,
          priority: Math.round(priority.score),
          priorityBand: priority.band,
          priorityParts: priority.parts,
          assigneeId,
          teamId,
          queue,
          slaDueAt: dueAt === null || !Number.isFinite(dueAt) ? null : dueAt,
          now,
        });
      }
      await repos.messages.markDecided(messages.map((m) => m.id), now);
      const changed = [...new Set(messages.map((m) => m.conversationId).filter((id): id is string => id !== null))];
      ctx.afterCommit(() => deps.onChanged?.(changed));
    },
  };
};
