import type { PriorityBand } from './priority.js';
import type { SlaStateName } from './sla.js';

export type AgentStatus = 'online' | 'away' | 'offline';

export interface RoutingAgent {
  id: string;
  status: AgentStatus;
  teams: readonly string[];
  skills: {
    /** Language codes the agent writes (ISO 639-1/3 as the classifier reports them). */
    languages: readonly string[];
    /** Intents the agent handles; '*' for any. */
    intents: readonly string[];
    /** Channel kinds the agent works; '*' for any. */
    channels: readonly string[];
  };
  /** Conversations the agent may hold at once. */
  capacity: number;
  /** Conversations the agent holds now. */
  load: number;
}

export interface RoutableConversation {
  id: string;
  language: string;
  intent: string;
  channel: string;
  band: PriorityBand;
  /** State of the most urgent running SLA clock, if any. */
  sla: SlaStateName | null;
  /** Whether the customer asks something or reports a problem (Classification.needsResponse). */
  needsResponse: boolean;
  /** A team the conversation belongs to (by channel or rule); agents outside it are not considered. */
  teamId?: string;
}

/** Round-robin memory: a counter and the counter value at each agent's last assignment. */
export interface RoutingState {
  seq: number;
  lastAssigned: Readonly<Record<string, number>>;
}

export const INITIAL_ROUTING_STATE: RoutingState = Object.freeze({ seq: 0, lastAssigned: Object.freeze({}) });

export type RoutingQueue = 'team' | 'marketing' | 'supervisor';

export type RoutingDecision =
  | { kind: 'agent'; agentId: string; reason: string; state: RoutingState }
  | { kind: 'queue'; queue: RoutingQueue; teamId?: string; reason: string; state: RoutingState };

const MARKETING_INTENTS = new Set(['promotion']);
const UNKNOWN_LANGUAGES = new Set(['und', '']);

/** Promotion seekers and praise without a question belong to marketing, never to service agents. */
export function isMarketing(c: Pick<RoutableConversation, 'intent' | 'needsResponse'>): boolean {
  return MARKETING_INTENTS.has(c.intent) || (c.intent === 'praise' && !c.needsResponse);
}

const allows = (list: readonly string[], value: string): boolean => list.includes('*') || list.includes(value);

export function isSkilledFor(agent: RoutingAgent, c: RoutableConversation): boolean {
  if (c.teamId !== undefined && !agent.teams.includes(c.teamId)) return false;
  if (!UNKNOWN_LANGUAGES.has(c.language) && !agent.skills.languages.includes(c.language)) return false;
  return allows(agent.skills.intents, c.intent) && allows(agent.skills.channels, c.channel);
}

/**
 * Picks who handles a conversation: the least-loaded online skilled agent with room, round-robin
 * among equals (least recently assigned, then id, so it is deterministic); otherwise a queue.
 * Pure: the returned `state` is what the caller stores for the next call.
 */
export function chooseAssignee(conversation: RoutableConversation, agents: readonly RoutingAgent[], state: RoutingState = INITIAL_ROUTING_STATE): RoutingDecision {
  if (isMarketing(conversation)) {
    return { kind: 'queue', queue: 'marketing', reason: `intent ${conversation.intent} without a service question goes to marketing`, state };
  }
  if (conversation.sla === 'breached') {
    return { kind: 'queue', queue: 'supervisor', reason: 'SLA breached: a supervisor decides', state };
  }

  const skilled = agents.filter((a) => isSkilledFor(a, conversation));
  const available = skilled.filter((a) => a.status === 'online' && a.load < a.capacity);

  let best: RoutingAgent | undefined;
  for (const a of available) {
    if (!best || compareAgents(a, best, state) < 0) best = a;
  }
  if (best) {
    const seq = state.seq + 1;
    return {
      kind: 'agent',
      agentId: best.id,
      reason: `least loaded skilled agent (${best.load}/${best.capacity})`,
      state: { seq, lastAssigned: { ...state.lastAssigned, [best.id]: seq } },
    };
  }

  if (conversation.sla === 'warning') {
    return { kind: 'queue', queue: 'supervisor', reason: 'SLA at risk and no skilled agent has capacity', state };
  }
  const teamId = conversation.teamId ?? skilled[0]?.teams[0];
  const reason =
    skilled.length === 0
      ? `no agent has the skills (${conversation.language}, ${conversation.intent}, ${conversation.channel})`
      : skilled.some((a) => a.status === 'online')
        ? 'every skilled agent is at capacity'
        : 'no skilled agent is online';
  return teamId === undefined ? { kind: 'queue', queue: 'team', reason, state } : { kind: 'queue', queue: 'team', teamId, reason, state };
}

/** Lower utilisation first, then fewer conversations, then least recently assigned, then id. */
function compareAgents(a: RoutingAgent, b: RoutingAgent, state: RoutingState): number {
  const ua = a.load / a.capacity;
  const ub = b.load / b.capacity;
  if (ua !== ub) return ua - ub;
  if (a.load !== b.load) return a.load - b.load;
  const la = state.lastAssigned[a.id] ?? 0;
  const lb = state.lastAssigned[b.id] ?? 0;
  if (la !== lb) return la - lb;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
