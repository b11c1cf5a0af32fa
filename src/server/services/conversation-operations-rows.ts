import type { Conversation } from '../repositories/conversations.repository.js';
import type { MessageFact } from '../repositories/conversations-operations.repository.js';
import type { SlaClockRecord } from '../repositories/sla.repository.js';
import { previewOf } from '../../shared/preview.js';

/**
 * What an operation keeps of a conversation row for its undo: everything but the customer's words. The preview is
 * recomputed from the last message and the subject read back at undo time, so erasure and retention purges, which
 * blank both, are never undone by an undo.
 */
export const snapshotOf = (c: Conversation): Conversation => {
  const { customerHandle: _h, customerName: _n, ...row } = c;
  return { ...row, lastMessagePreview: '', subject: null };
};

/** The more active status wins when two conversations become one: a waiting customer outranks a closed case. */
const statusRank = ['open', 'pending', 'snoozed', 'resolved', 'closed'];
export const moreActiveStatus = (a: string, b: string): string => {
  const ra = statusRank.indexOf(a);
  const rb = statusRank.indexOf(b);
  if (ra === -1) return b;
  if (rb === -1) return a;
  return ra <= rb ? a : b;
};

/** The first human response after the first inbound message (rule auto-replies do not count, as for SLA clocks). */
const firstResponseOf = (facts: readonly MessageFact[]): number | null => {
  const firstIn = facts.find((f) => f.direction === 'in');
  if (!firstIn) return null;
  const reply = facts.find((f) => f.direction === 'out' && f.createdAt >= firstIn.createdAt && !(f.sentByUserId ?? '').startsWith('rule:'));
  return reply ? reply.createdAt : null;
};

/**
 * A list row recomputed from the messages a conversation now holds (oldest first): counts, the newest message,
 * the last inbound time and the latest readings of sentiment, intent and language.
 */
export const listRowFrom = (base: Conversation, facts: readonly MessageFact[], unread: number, now: number): Conversation => {
  const last = facts.at(-1);
  const inbound = facts.filter((f) => f.direction === 'in');
  const latest = (pick: (f: MessageFact) => string | null) => [...inbound].reverse().map(pick).find((v) => v !== null) ?? null;
  return {
    ...base,
    messageCount: facts.length,
    unreadCount: Math.max(0, Math.min(unread, inbound.length)),
    lastMessageId: last?.id ?? null,
    lastMessageAt: last?.createdAt ?? base.createdAt,
    lastMessagePreview: last ? previewOf(last.text) : '',
    lastMessageDirection: last?.direction ?? 'in',
    lastInboundAt: inbound.at(-1)?.createdAt ?? null,
    firstResponseAt: firstResponseOf(facts),
    sentiment: latest((f) => f.sentiment) ?? base.sentiment,
    intent: latest((f) => f.intent) ?? base.intent,
    language: latest((f) => f.language) ?? base.language,
    updatedAt: now,
  };
};

/** Which messages a split takes: the chosen one, its replies (transitively, by reply reference), or it and everything after. */
export type SplitScope = 'message' | 'replies' | 'following';

export const splitSelection = (facts: readonly MessageFact[], messageId: string, scope: SplitScope): MessageFact[] => {
  const index = facts.findIndex((f) => f.id === messageId);
  const chosen = facts[index];
  if (!chosen) return [];
  if (scope === 'message') return [chosen];
  if (scope === 'following') return facts.slice(index);
  const taken = new Set([chosen.externalId]);
  const out = [chosen];
  // Oldest first, so a reply's parent is always seen before the reply.
  for (const f of facts.slice(index + 1)) {
    if (f.inReplyTo !== null && taken.has(f.inReplyTo)) {
      taken.add(f.externalId);
      out.push(f);
    }
  }
  return out;
};

/** The unread messages are the newest inbound ones: how many of them a split takes along. */
export const unreadTaken = (facts: readonly MessageFact[], unread: number, moved: ReadonlySet<string>): number => {
  const inbound = facts.filter((f) => f.direction === 'in');
  return inbound.slice(Math.max(0, inbound.length - unread)).filter((f) => moved.has(f.id)).length;
};

/** A clock belongs to the inbound message it waits on: the newest inbound message at or before its start. */
export const clockMovesWith = (clock: SlaClockRecord, facts: readonly MessageFact[], moved: ReadonlySet<string>): boolean => {
  const starter = [...facts].reverse().find((f) => f.direction === 'in' && f.createdAt <= clock.startedAt);
  return starter !== undefined && moved.has(starter.id);
};
