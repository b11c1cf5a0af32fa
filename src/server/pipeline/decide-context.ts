import type { RuleContext } from '../decide/rules/compile-conditions.js';
import { newId } from '../platform/ids.js';
import type { AuditEntry } from '../repositories/audit.repository.js';
import type { Channel } from '../repositories/channels.repository.js';
import type { Conversation } from '../repositories/conversations.repository.js';
import type { PipelineMessage } from '../repositories/messages.repository.js';

export interface CustomerFacts {
  tier: string;
  followers: number;
  verified: boolean;
  displayName: string | null;
  handle: string | null;
}

/** The mutable part of a conversation the decide stage and rules change before one write. */
export interface DecisionState {
  assigneeId: string | null;
  teamId: string | null;
  queue: string;
  status: string;
  /** A band a rule set; null when the score's own band stands. */
  bandOverride: 'low' | 'normal' | 'high' | 'urgent' | null;
  tags: string[];
  /** True once a rule or the stage decided the assignment, so routing keeps its hands off. */
  assignedByRule: boolean;
  /** The rule that set the assignment (`rule:<id>`), for the audit log. */
  assignedBy?: string;
}

/**
 * The audit entry for an assignment the pipeline made (routing or a rule), or null when the conversation's agent and
 * team did not change. People's assignments are audited by the conversation service.
 */
export const automaticAssignmentAudit = (conv: Pick<Conversation, 'id' | 'assigneeId' | 'teamId'>, state: Pick<DecisionState, 'assigneeId' | 'teamId' | 'queue' | 'assignedBy'>, now: number): AuditEntry | null => {
  if (state.assigneeId === conv.assigneeId && state.teamId === conv.teamId) return null;
  const by = state.assignedBy ?? 'routing';
  return {
    id: newId(), at: now, actorId: by, actorRole: 'automation', action: 'conversation.assign', targetType: 'conversation', targetId: conv.id,
    data: { assigneeId: state.assigneeId, teamId: state.teamId, queue: state.queue, previousAssigneeId: conv.assigneeId, previousTeamId: conv.teamId, by },
  };
};

export const decisionStateOf = (c: Conversation): DecisionState => ({
  assigneeId: c.assigneeId,
  teamId: c.teamId,
  queue: c.queue,
  status: c.status,
  bandOverride: null,
  tags: [...c.tags],
  assignedByRule: false,
});

/** Parsed once per message however many readers it has (the stage keeps its batch's messages alive only for the batch). */
const parsedRecords = new WeakMap<PipelineMessage, Record<string, unknown>>();
const ruleViews = new WeakMap<PipelineMessage, Record<string, unknown>>();

/** The message's whole classifier record (explanations included), parsed once per message. */
export const classificationRecordOf = (m: PipelineMessage): Record<string, unknown> => {
  let parsed = parsedRecords.get(m);
  if (!parsed) {
    parsed = parseClassification(m);
    parsedRecords.set(m, parsed);
  }
  return parsed;
};

/** The message's classifier outputs as rules see them (explanations left out), made once per message. */
export const classificationOf = (m: PipelineMessage): Record<string, unknown> => {
  let view = ruleViews.get(m);
  if (!view) {
    // Explanations are for people; rules match on labels and scores.
    const { explanations: _explanations, ...rest } = classificationRecordOf(m);
    view = rest;
    ruleViews.set(m, view);
  }
  return view;
};

const parseClassification = (m: PipelineMessage): Record<string, unknown> => {
  if (!m.classifications) return { spam: m.spam, needsResponse: m.needsResponse, intent: m.intent ? { label: m.intent } : undefined, urgency: m.urgency };
  try {
    return JSON.parse(m.classifications) as Record<string, unknown>;
  } catch {
    return {};
  }
};

/** The facts a rule can test: message, classifier outputs, author, customer, conversation, channel, priority, incident. */
export const buildRuleContext = (input: {
  message: PipelineMessage;
  conversation: Conversation;
  state: DecisionState;
  channel: Channel | undefined;
  customer: CustomerFacts | undefined;
  priority: { score: number; band: string };
}): RuleContext => {
  const { message: m, conversation: c, state, channel, customer, priority } = input;
  return {
    channel: channel?.platform ?? 'unknown',
    channelId: c.channelId,
    visibility: c.visibility,
    message: { id: m.id, text: m.text, subject: m.subject, kind: m.kind, language: m.language, direction: m.direction, createdAt: m.createdAt },
    classification: classificationOf(m),
    author: { followers: m.authorFollowers, verified: m.authorVerified, handle: m.authorHandle, displayName: m.authorDisplayName },
    customer: customer ? { id: c.customerId, tier: customer.tier, followers: customer.followers, verified: customer.verified } : { id: c.customerId, tier: null },
    conversation: {
      id: c.id,
      status: state.status,
      queue: state.queue,
      assigneeId: state.assigneeId,
      teamId: state.teamId,
      tags: state.tags,
      messageCount: c.messageCount,
      firstResponseAt: c.firstResponseAt,
    },
    priority: { score: priority.score, band: state.bandOverride ?? priority.band },
    incident: c.incidentId ? { id: c.incidentId } : null,
  };
};

/** Values a macro may insert: `{{customer.name}}`, `{{customer.handle}}`, `{{conversation.subject}}`, `{{agent.name}}`, … */
export const buildMacroVariables = (input: { conversation: Conversation; customer: CustomerFacts | undefined; channel: Channel | undefined; agentName?: string | null; authorName?: string | null; authorHandle?: string | null }): Record<string, unknown> => {
  const { conversation: c, customer, channel } = input;
  const handle = customer?.handle ?? input.authorHandle ?? null;
  return {
    customer: {
      name: customer?.displayName ?? input.authorName ?? handle ?? null,
      handle: handle ? `@${handle.replace(/^@/, '')}` : null,
      tier: customer?.tier ?? null,
    },
    conversation: { id: c.id, subject: c.subject, reference: c.id.slice(-8).toUpperCase() },
    channel: { name: channel?.name ?? null, platform: channel?.platform ?? null },
    agent: { name: input.agentName ?? null },
  };
};
