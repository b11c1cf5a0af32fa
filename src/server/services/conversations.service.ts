import { mentionHandleOf, mentionsIn } from '../../shared/mentions.js';
import type { Actor } from '../../shared/permissions.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import type { EventBus } from '../platform/events.js';
import { newId } from '../platform/ids.js';
import { parseSearchQuery, type ConversationFilter, type ListCursor } from '../repositories/conversations.repository.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';
import { checkOutboundReply, queueOutboundReply } from '../pipeline/outbound-reply.js';
import { compareWork } from '../decide/work-order.js';
import { queueConversationUpdated } from '../pipeline/decide-events.js';
import { recordAudit } from './audit.js';
import { replyAttachments } from './reply-attachments.js';

export const conversationStatuses = ['open', 'pending', 'snoozed', 'resolved', 'closed'] as const;
export type ConversationStatus = (typeof conversationStatuses)[number];

export interface ListQuery {
  status?: string;
  /** 'me', 'none' or a user id. */
  assignee?: string;
  teamId?: string;
  channelId?: string;
  priority?: string;
  sentiment?: string;
  /** 'spam', 'marketing', 'service', 'supervisor', or '!spam' for every queue but spam. */
  queue?: string;
  intent?: string;
  language?: string;
  tier?: string;
  sla?: 'breached' | 'soon' | 'ok' | 'none';
  /** Full-text search over the conversations' messages. */
  q?: string;
  /** 'mine': the teams the caller belongs to. */
  teams?: 'mine';
  incident?: 'any' | 'none';
  cursor?: string;
  limit: number;
}

/** "Due soon" in the list filter: the same 15 minutes the inbox colours as soon. */
const slaSoonMs = 15 * 60_000;

export const encodeCursor = (c: ListCursor): string => Buffer.from(JSON.stringify([c.lastMessageAt, c.id])).toString('base64url');

const decodeCursor = (text: string): ListCursor => {
  try {
    const [lastMessageAt, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof lastMessageAt === 'number' && typeof id === 'string') return { lastMessageAt, id };
  } catch {
    // fall through to the error below
  }
  throw new AppError('validation_failed', 'cursor is not one this API returned', 'cursor');
};

const maxSnoozeMs = 366 * 24 * 60 * 60 * 1000;

export interface ReplyInput {
  text: string;
  idempotencyKey?: string;
  /** Uploaded files (POST /api/v1/attachments) to send with the reply, within the channel's media limits. */
  attachmentIds?: string[];
  /**
   * A holding reply ("thanks, we're on it"): it is the customer's first response, but the conversation still owes
   * them the full answer, so it stays in the agent's work (Take next) until a reply without this flag goes out.
   */
  holding?: boolean;
}

/** The agent's use cases on a conversation: list, open, reply (through the PII guard and the outbox), note, assign, status. */
export const createConversationsService = (deps: { repos: Repositories; uow: UnitOfWork; clock: Clock; events: EventBus; publicUrl?: string }) => {
  const { repos, uow, clock, events } = deps;

  const mustGet = async (tx: Repositories, id: string) => {
    const conversation = await tx.conversations.get(id);
    if (!conversation) throw new AppError('conversation_not_found', `no conversation ${id}`);
    return conversation;
  };

  /** A merged-away conversation is a tombstone: it can be read, but changes belong to the one that absorbed it. */
  const mustGetLive = async (tx: Repositories, id: string) => {
    const conversation = await mustGet(tx, id);
    if (conversation.mergedIntoId) throw new AppError('conflict', `conversation ${id} was merged into ${conversation.mergedIntoId}`, undefined, { mergedIntoId: conversation.mergedIntoId });
    return conversation;
  };

  return {
    async list(query: ListQuery, actor: Actor) {
      const filter: ConversationFilter = {};
      if (query.status) filter.status = query.status;
      if (query.assignee) filter.assigneeId = query.assignee === 'none' ? null : query.assignee === 'me' ? actor.userId : query.assignee;
      if (query.teamId) filter.teamId = query.teamId;
      if (query.channelId) filter.channelId = query.channelId;
      if (query.priority) filter.priorityBand = query.priority;
      if (query.sentiment) filter.sentiment = query.sentiment;
      if (query.queue) filter.queue = query.queue;
      if (query.intent) filter.intent = query.intent;
      if (query.language) filter.language = query.language;
      if (query.tier) filter.tier = query.tier;
      if (query.sla) filter.sla = { state: query.sla, now: clock.now(), soonMs: slaSoonMs };
      if (query.teams === 'mine') filter.teamIds = (await repos.users.teamsAndSkillsOf(actor.userId)).teamIds;
      if (query.incident) filter.inIncident = query.incident === 'any';
      if (query.q !== undefined && query.q.trim() !== '') {
        const search = parseSearchQuery(query.q);
        if (!search) throw new AppError('validation_failed', 'q has no word to search for (letters or digits, not only -excluded ones)', 'q');
        filter.search = search;
      }
      const items = await repos.conversations.list(filter, query.cursor ? decodeCursor(query.cursor) : null, query.limit + 1);
      const pageItems = items.slice(0, query.limit);
      const last = pageItems[pageItems.length - 1];
      return { items: pageItems, nextCursor: items.length > query.limit && last ? encodeCursor({ lastMessageAt: last.lastMessageAt, id: last.id }) : null };
    },

    async get(id: string) {
      const conversation = await mustGet(repos, id);
      const [listed, notes, outbox] = await Promise.all([repos.messages.listByConversation(id, 500), repos.notes.listByConversation(id), repos.outbox.listForConversation(id)]);
      // Agents' corrections show in place of the model's labels (kept beside them, so the explanation still reads).
      const corrections = await repos.conversationOperations.correctionsOf(listed.filter((m) => m.direction === 'in').map((m) => m.id));
      const messages = listed.map((m) => (corrections.has(m.id) ? { ...m, classification: { ...(m.classification ?? {}), corrections: corrections.get(m.id) } } : m));
      const [channel] = await repos.channels.getMany([conversation.channelId]);
      return { conversation, messages, notes, outbox, channel: channel ? { platform: channel.platform, name: channel.name } : null };
    },

    async markRead(id: string) {
      await repos.conversations.markRead(id);
    },

    /** Writes the outbound message and its outbox row in one transaction; delivery happens in the outbox worker. */
    async reply(id: string, input: ReplyInput, actor: Actor) {
      const text = input.text.trim();
      if (!text) throw new AppError('validation_failed', 'a reply needs text', 'text');
      const idempotencyKey = input.idempotencyKey ?? newId();
      const existing = await repos.outbox.findByKey(idempotencyKey);
      if (existing) return { messageId: existing.messageId as string, outboxId: existing.id, duplicate: true };

      const result = await uow(async (tx) => {
        // Whether the customer's last message is answered already is read under the conversation's lock (below).
        if (input.holding) await tx.conversations.lock(id);
        const conversation = await mustGetLive(tx, id);
        const channel = await tx.channels.get(conversation.channelId);
        if (!channel) throw new AppError('channel_not_found', `no channel ${conversation.channelId}`);
        // A paused channel's reply is queued all the same: the outbox holds it until the channel resumes.
        const visibility = conversation.visibility === 'private' ? 'private' : 'public';
        const attachments = await replyAttachments(tx, input.attachmentIds ?? [], { platform: channel.platform, visibility, text });
        const verdict = await checkOutboundReply(tx, text, visibility);
        if (!verdict.allowed) {
          throw new AppError('reply_blocked', verdict.reason ?? 'the reply contains personal data and cannot be posted in public', 'text', { findings: verdict.findings, suggestion: 'move_to_private' });
        }
        const thread = await tx.messages.listByConversation(id, 500);
        // A public reply answers the last public message: words the customer wrote on the private page are not a post.
        const lastInbound = [...thread].reverse().find((m) => m.direction === 'in' && (visibility === 'private' || m.visibility !== 'private'));
        // Two agents who both saw the deadline near would each send "we're on it": the customer gets it once. A holding
        // reply is refused when the customer's last message already has an answer of ours after it (full or holding).
        if (input.holding) {
          const answered = [...thread].reverse().find((m) => m.direction === 'out' && (visibility === 'private' || m.visibility !== 'private') && (!lastInbound || m.createdAt >= lastInbound.createdAt));
          if (answered) throw new AppError('conflict', `the customer's last message was already answered at ${new Date(answered.createdAt).toISOString()}: a holding reply would repeat it`, 'holding');
        }
        const now = clock.now();
        const answering = lastInbound ? { externalId: lastInbound.externalId, kind: lastInbound.kind, authorPlatformId: lastInbound.author.platformId, authorHandle: lastInbound.author.handle, authorEmail: lastInbound.author.email } : null;
        const queued = await queueOutboundReply(tx, { conversation, channel, answering, text, visibility, idempotencyKey, sentBy: actor.userId, now, isFirstResponse: true, publicUrl: deps.publicUrl ?? null, attachments });
        if (!queued) throw new AppError('conflict', 'this idempotency key was used for another reply', 'idempotency-key');
        const { messageId, outboxId } = queued;
        await tx.conversations.setAnswerOwed(id, input.holding ? (lastInbound?.createdAt ?? now) : null);
        await recordAudit(tx, actor, now, 'conversation.reply', { type: 'conversation', id }, { messageId, outboxId, visibility, ...(attachments.length ? { attachmentIds: attachments.map((a) => a.id) } : {}), ...(input.holding ? { holding: true } : {}) });
        return { messageId, outboxId, duplicate: false };
      });
      events.publish({ type: 'outbox.enqueued' });
      events.publish({ type: 'conversations.changed', conversationIds: [id] });
      return result;
    },

    async addNote(id: string, body: string, actor: Actor) {
      const mentions = mentionsIn(body);
      const note = { id: newId(), conversationId: id, authorId: actor.userId, body, mentions, createdAt: clock.now() };
      const mentioned = await uow(async (tx) => {
        await mustGetLive(tx, id);
        await tx.notes.create(note);
        // A mention names a teammate by the local part of their e-mail address; unknown handles stay plain text.
        const handles = new Set(mentions);
        const userIds = handles.size ? (await tx.users.list()).filter((u) => !u.disabled && u.id !== actor.userId && handles.has(mentionHandleOf(u.email))).map((u) => u.id) : [];
        await recordAudit(tx, actor, note.createdAt, 'conversation.note', { type: 'conversation', id }, { noteId: note.id, ...(userIds.length ? { mentioned: userIds } : {}) });
        return userIds;
      });
      events.publish({ type: 'conversations.changed', conversationIds: [id] });
      if (mentioned.length) events.publish({ type: 'mention', userIds: mentioned, conversationId: id, noteId: note.id, byUserId: actor.userId, excerpt: body.length > 140 ? `${body.slice(0, 139)}…` : body });
      return note;
    },

    async assign(id: string, input: { assigneeId: string | null; teamId?: string | null }, actor: Actor) {
      if (actor.role === 'agent' && input.assigneeId !== null && input.assigneeId !== actor.userId) {
        throw new AppError('forbidden', 'agents may assign conversations only to themselves', 'assigneeId');
      }
      await uow(async (tx) => {
        const conversation = await mustGetLive(tx, id);
        if (input.assigneeId && !(await tx.users.get(input.assigneeId))) throw new AppError('user_not_found', `no user ${input.assigneeId}`, 'assigneeId');
        const teamId = input.teamId === undefined ? conversation.teamId : input.teamId;
        await tx.conversations.setAssignment(id, input.assigneeId, teamId, clock.now());
        await recordAudit(tx, actor, clock.now(), 'conversation.assign', { type: 'conversation', id }, { from: conversation.assigneeId, to: input.assigneeId, teamId });
        await queueConversationUpdated(tx, id, ['assigneeId', ...(teamId !== conversation.teamId ? ['teamId'] : [])], actor.userId, clock.now());
      });
      events.publish({ type: 'conversations.changed', conversationIds: [id] });
      return (await repos.conversations.get(id))!;
    },

    /**
     * The conversation this user should answer next, in the work order the workload simulation measures
     * (decide/work-order.ts: priority while a post has slack, earliest deadline first once it is at risk), claimed
     * for them when nobody holds it. Null when nothing waits for them.
     */
    async takeNext(actor: Actor) {
      const now = clock.now();
      const waiting = (await repos.conversations.awaitingResponse(actor.userId)).map((w) => ({ ...w, dueAt: w.slaDueAt }));
      waiting.sort((a, b) => compareWork(a, b, now));
      for (const next of waiting) {
        if (next.assigneeId === actor.userId) return (await repos.conversations.get(next.id))!;
        // Another agent may have taken it since the read: then the next one in order.
        const claimed = await uow(async (tx) => {
          const before = await tx.conversations.get(next.id);
          if (!before || !(await tx.conversations.claim(next.id, actor.userId, now))) return false;
          await recordAudit(tx, actor, now, 'conversation.assign', { type: 'conversation', id: next.id }, { from: before.assigneeId, to: actor.userId, teamId: before.teamId, via: 'take_next' });
          await queueConversationUpdated(tx, next.id, ['assigneeId'], actor.userId, now);
          return true;
        });
        if (claimed) {
          events.publish({ type: 'conversations.changed', conversationIds: [next.id] });
          return (await repos.conversations.get(next.id))!;
        }
      }
      return null;
    },

    /**
     * Snoozes until a time: the conversation leaves the open queue and comes back when the time passes (a durable
     * wake-up job) or when the customer writes (the correlate stage's list-row update). SLA clocks keep running:
     * a customer still waiting for a first response is still owed one, so snoozing never hides a breach.
     */
    async snooze(id: string, until: number, actor: Actor) {
      const now = clock.now();
      if (!Number.isFinite(until) || until <= now) throw new AppError('validation_failed', 'a snooze must end in the future', 'until');
      if (until > now + maxSnoozeMs) throw new AppError('validation_failed', 'a snooze can last at most a year', 'until');
      await uow(async (tx) => {
        const conversation = await mustGetLive(tx, id);
        await tx.conversations.snooze(id, until, now);
        await tx.jobs.enqueue([{ id: newId(), type: 'conversation.wake', payload: JSON.stringify({ conversationIds: [id] }), runAt: until }], now);
        await recordAudit(tx, actor, now, 'conversation.snooze', { type: 'conversation', id }, { from: conversation.status, until });
        if (conversation.status !== 'snoozed') await queueConversationUpdated(tx, id, ['status'], actor.userId, now);
      });
      events.publish({ type: 'conversations.changed', conversationIds: [id] });
      return (await repos.conversations.get(id))!;
    },

    async setStatus(id: string, status: ConversationStatus, actor: Actor) {
      await uow(async (tx) => {
        const conversation = await mustGetLive(tx, id);
        await tx.conversations.setStatus(id, status, clock.now());
        await recordAudit(tx, actor, clock.now(), 'conversation.status', { type: 'conversation', id }, { from: conversation.status, to: status });
        if (status !== conversation.status) await queueConversationUpdated(tx, id, ['status'], actor.userId, clock.now());
      });
      events.publish({ type: 'conversations.changed', conversationIds: [id] });
      return (await repos.conversations.get(id))!;
    },
  };
};

export type ConversationsService = ReturnType<typeof createConversationsService>;
