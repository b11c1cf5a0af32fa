import { renderMacro } from '../decide/macros.js';
import { checkOutboundReply, queueOutboundReply } from './outbound-reply.js';
import type { RuleContext } from '../decide/rules/compile-conditions.js';
import { evaluateRules, type Causation, type CompiledRules, type PlannedAction, type RuleEvent } from '../decide/rules/evaluate-rules.js';
import type { JobContext } from '../jobs/definitions.js';
import { newId } from '../platform/ids.js';
import type { AuditEntry } from '../repositories/audit.repository.js';
import type { Channel } from '../repositories/channels.repository.js';
import type { Conversation } from '../repositories/conversations.repository.js';
import type { Repositories } from '../repositories/index.js';
import type { MacroRecord } from '../repositories/macros.repository.js';
import type { RuleRun } from '../repositories/rules.repository.js';
import { buildMacroVariables, type CustomerFacts, type DecisionState } from './decide-context.js';
import { checkWebhookTarget } from './decide-webhooks.js';
import { pushTo } from '../../shared/collections.js';

export interface RuleTarget {
  conversation: Conversation;
  channel: Channel | undefined;
  customer: CustomerFacts | undefined;
  /** The message the event is about (null for SLA events): replies thread to it and keys name it. */
  messageId: string | null;
  inbound: { externalId: string; kind: string; authorPlatformId: string; authorHandle: string | null; authorDisplayName: string | null; authorEmail: string | null } | null;
}

export interface RuleRuntime {
  tx: Repositories;
  now: number;
  compiled: CompiledRules;
  enqueue: JobContext['enqueue'];
  publicUrl: string;
  allowPrivateWebhooks: boolean;
  macros: Map<string, MacroRecord | null>;
  /** Set when a rule queued a reply, so the outbox is woken after commit. */
  sentReply: boolean;
  /** Issues a signed single-use private hand-off link in this transaction (the trust layer's). */
  issuePrivateLink?: (conversationId: string) => Promise<string>;
  /** Audit entries the stage appends in one go at the end of its batch; absent: each is appended at once. */
  auditLater?: AuditEntry[];
}

/** Issues a signed single-use private hand-off link inside a transaction (provided by the trust layer). */
export type PrivateLinkIssuer = (tx: Repositories, conversationId: string, now: number) => Promise<string>;

/** The rule runtime's link issuer, bound to the stage's transaction. */
export const privateLinks = (issuer: PrivateLinkIssuer | undefined, tx: Repositories, now: number): Pick<RuleRuntime, 'issuePrivateLink'> =>
  issuer ? { issuePrivateLink: (conversationId) => issuer(tx, conversationId, now) } : {};

type Outcome = { type: string; ok: boolean; detail?: string };

const CHANGES_CONVERSATION = new Set(['assign', 'tag', 'set_priority', 'escalate', 'close_spam']);

/** Actions that send a reply, which writes to the conversation's row (its last message) as the rule runs. */
const REPLIES = new Set(['reply_with_macro', 'send_private_link']);

/** Whether any enabled rule may send a reply. */
export const rulesMayReply = (compiled: CompiledRules): boolean =>
  [...compiled.byTrigger.values()].some((rules) => rules.some((r) => r.rule.actions.some((a) => REPLIES.has(a.type))));

const macroOf = async (rt: RuleRuntime, id: string): Promise<MacroRecord | null> => {
  if (!rt.macros.has(id)) rt.macros.set(id, await rt.tx.macros.get(id));
  return rt.macros.get(id) ?? null;
};

/** Writes an automated reply and its outbox row; the key makes a retried batch or a second firing a no-op. */
const sendReply = async (rt: RuleRuntime, target: RuleTarget, p: PlannedAction, text: string): Promise<Outcome> => {
  const { conversation: c, channel, inbound } = target;
  const key = `rule:${p.ruleId}:${target.messageId ?? p.eventId}`;
  if (await rt.tx.outbox.findByKey(key)) return { type: p.action.type, ok: true, detail: 'already sent' };
  if (!channel) return { type: p.action.type, ok: false, detail: 'channel not found' };
  const visibility = c.visibility === 'private' ? 'private' : 'public';
  const verdict = await checkOutboundReply(rt.tx, text, visibility);
  if (!verdict.allowed) return { type: p.action.type, ok: false, detail: `blocked by the PII guard: ${verdict.findings.map((f) => f.type).join(', ')}` };
  const sent = await queueOutboundReply(rt.tx, {
    conversation: c,
    channel,
    answering: inbound ?? null,
    text,
    visibility,
    idempotencyKey: key,
    // Marks the reply as automated: it does not meet a first- or next-response SLA.
    sentBy: `rule:${p.ruleId}`,
    now: rt.now,
    payloadExtra: { causation: p.causation },
    isFirstResponse: false,
    publicUrl: rt.publicUrl || null,
  });
  if (!sent) return { type: p.action.type, ok: true, detail: 'already sent' };
  const { outboxId } = sent;
  // An automated reply is a reply like an agent's: it goes in the audit log under the rule that sent it.
  const entry: AuditEntry = { id: newId(), at: rt.now, actorId: `rule:${p.ruleId}`, actorRole: 'automation', action: 'conversation.reply', targetType: 'conversation', targetId: c.id, data: { messageId: sent.messageId, outboxId, visibility, rule: p.ruleName } };
  if (rt.auditLater) rt.auditLater.push(entry);
  else await rt.tx.audit.append(entry);
  rt.sentReply = true;
  return { type: p.action.type, ok: true, detail: `outbox ${outboxId}` };
};

const renderFor = async (rt: RuleRuntime, target: RuleTarget, macroId: string): Promise<{ text: string } | { error: string }> => {
  const macro = await macroOf(rt, macroId);
  if (!macro) return { error: `macro ${macroId} not found` };
  const vars = buildMacroVariables({ conversation: target.conversation, customer: target.customer, channel: target.channel, authorName: target.inbound?.authorDisplayName ?? null, authorHandle: target.inbound?.authorHandle ?? null });
  const r = renderMacro(macro, target.channel?.platform ?? 'unknown', vars);
  return r.ok ? { text: r.text } : { error: `macro ${macroId}: ${r.errors.map((e) => ('name' in e ? `${e.code} ${e.name}` : e.code)).join(', ')}` };
};

const execute = async (rt: RuleRuntime, target: RuleTarget, state: DecisionState, p: PlannedAction): Promise<Outcome> => {
  const a = p.action;
  switch (a.type) {
    case 'assign':
      if (a.agentId !== undefined) state.assigneeId = a.agentId;
      if (a.teamId !== undefined) {
        state.teamId = a.teamId;
        if (a.agentId === undefined) state.assigneeId = null;
      }
      state.assignedByRule = true;
      state.assignedBy = `rule:${p.ruleId}`;
      return { type: a.type, ok: true };
    case 'tag':
      state.tags = [...new Set([...state.tags, ...a.tags])].sort();
      return { type: a.type, ok: true };
    case 'set_priority':
      state.bandOverride = a.band;
      return { type: a.type, ok: true };
    case 'escalate':
      state.queue = 'supervisor';
      state.tags = [...new Set([...state.tags, 'escalated'])].sort();
      return { type: a.type, ok: true, ...(a.reason ? { detail: a.reason } : {}) };
    case 'close_spam':
      state.status = 'closed';
      state.queue = 'spam';
      state.assigneeId = null;
      state.assignedByRule = true;
      state.assignedBy = `rule:${p.ruleId}`;
      state.tags = [...new Set([...state.tags, 'spam'])].sort();
      return { type: a.type, ok: true };
    case 'reply_with_macro': {
      const r = await renderFor(rt, target, a.macroId);
      return 'error' in r ? { type: a.type, ok: false, detail: r.error } : sendReply(rt, target, p, r.text);
    }
    case 'send_private_link': {
      if (!rt.issuePrivateLink) return { type: a.type, ok: false, detail: 'private hand-off links are not available in this process' };
      const link = await rt.issuePrivateLink(target.conversation.id);
      const r = a.macroId ? await renderFor(rt, target, a.macroId) : { text: 'We would like to help you privately, so nobody else sees your details.' };
      return 'error' in r ? { type: a.type, ok: false, detail: r.error } : sendReply(rt, target, p, `${r.text} ${link}`);
    }
    case 'notify_webhook': {
      const refused = await checkWebhookTarget(a.url, { allowPrivate: rt.allowPrivateWebhooks, resolve: async () => [] });
      if (refused) return { type: a.type, ok: false, detail: refused };
      const c = target.conversation;
      const body = { event: p.eventId, rule: { id: p.ruleId, name: p.ruleName }, conversation: { id: c.id, channelId: c.channelId, visibility: c.visibility, status: state.status, tags: state.tags, queue: state.queue }, messageId: target.messageId, link: `${rt.publicUrl}/conversations/${c.id}`, at: new Date(rt.now).toISOString() };
      await rt.enqueue('rules.webhook', { deliveries: [{ url: a.url, body, idempotencyKey: `rule:${p.ruleId}:${target.messageId ?? p.eventId}`, attempt: 0 }] });
      return { type: a.type, ok: true };
    }
  }
};

const mergeCausation = (planned: readonly PlannedAction[]): Causation => ({
  ruleIds: [...new Set(planned.flatMap((p) => p.causation.ruleIds))],
  depth: Math.max(...planned.map((p) => p.causation.depth)),
});

/**
 * Evaluates the rules for one event and executes what they plan, then treats the conversation changes they made
 * as a `conversation_updated` event carrying the causation chain, until no rule fires: a rule never re-fires on
 * its own effects and the chain depth is capped, so rules cannot loop. Returns the runs to log.
 */
export const runRules = async (rt: RuleRuntime, target: RuleTarget, state: DecisionState, event: RuleEvent, contextFor: () => RuleContext): Promise<RuleRun[]> => {
  const runs: RuleRun[] = [];
  let current: RuleEvent | null = event;
  while (current) {
    const planned = evaluateRules(rt.compiled, current, contextFor);
    if (planned.length === 0) break;
    const byRule = new Map<string, Outcome[]>();
    for (const p of planned) {
      const outcome = await execute(rt, target, state, p);
      pushTo(byRule, p.ruleId, outcome);
    }
    for (const [ruleId, outcomes] of byRule) {
      const first = planned.find((p) => p.ruleId === ruleId) as PlannedAction;
      runs.push({ id: newId(), ruleId, eventType: current.type, conversationId: target.conversation.id, messageId: target.messageId, actions: outcomes, causation: first.causation, at: rt.now });
    }
    const changed = planned.filter((p) => CHANGES_CONVERSATION.has(p.action.type));
    current = changed.length ? { id: `${current.id}:u${runs.length}`, type: 'conversation_updated', causation: mergeCausation(changed) } : null;
  }
  return runs;
};
