import type { Actor } from '../../shared/permissions.js';
import type { IncidentDetectorOptions } from '../correlate/incidents/index.js';
import { updateSavedDetector } from '../pipeline/incidents.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import type { EventBus } from '../platform/events.js';
import type { Incident, IncidentStatus } from '../repositories/incidents.repository.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';
import { wordNotice, type Notice } from '../pipeline/incident-notice.js';
import { acknowledgeLateMember, queueIncidentNotice } from '../pipeline/decide-incidents.js';
import { recordAudit } from './audit.js';

export { wordNotice };


const encodeCursor = (i: Incident): string => Buffer.from(JSON.stringify([i.suspectedAt, i.id])).toString('base64url');
const decodeCursor = (text: string): { suspectedAt: number; id: string } => {
  try {
    const [suspectedAt, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof suspectedAt === 'number' && typeof id === 'string') return { suspectedAt, id };
  } catch {
    // fall through to the error below
  }
  throw new AppError('validation_failed', 'cursor is not one this API returned', 'cursor');
};

/** Supervisors' incident use cases: review, confirm, answer once (fanned out per member), resolve. */
export const createIncidentsService = (deps: { repos: Repositories; uow: UnitOfWork; clock: Clock; events: EventBus; detector?: IncidentDetectorOptions; publicUrl?: string }) => {
  const { repos, uow, clock, events } = deps;
  const detectorOptions = deps.detector ?? {};

  const mustGet = async (tx: Repositories, id: string): Promise<Incident> => {
    const incident = await tx.incidents.get(id);
    if (!incident) throw new AppError('not_found', `no incident ${id}`);
    return incident;
  };

  /** One reply per member conversation, each under its own idempotency key so no one is told twice. */
  const fanOut = async (tx: Repositories, incident: Incident, notice: Notice, text: string, actor: Actor, now: number): Promise<{ queued: number; skipped: number }> => {
    let queued = 0;
    let skipped = 0;
    for (const conversationId of await tx.incidents.memberConversations(incident.id)) {
      const conversation = await tx.conversations.get(conversationId);
      const channel = conversation ? await tx.channels.get(conversation.channelId) : null;
      if (!conversation || !channel) continue;
      const thread = await tx.messages.listByConversation(conversationId, 500);
      const lastInbound = [...thread].reverse().find((m) => m.direction === 'in');
      const answering = lastInbound ? { externalId: lastInbound.externalId, kind: lastInbound.kind, authorPlatformId: lastInbound.author.platformId, authorHandle: lastInbound.author.handle, authorDisplayName: lastInbound.author.displayName, authorEmail: lastInbound.author.email } : null;
      const result = await queueIncidentNotice(tx, { incident, notice, text, conversation, channel, answering, sentBy: actor.userId, now, publicUrl: deps.publicUrl ?? null });
      if (result.status === 'blocked') throw new AppError('reply_blocked', result.verdict.reason ?? 'the notice contains personal data and cannot be posted in public', 'text', { findings: result.verdict.findings, conversationId });
      if (result.status === 'skipped') skipped++;
      else queued++;
    }
    return { queued, skipped };
  };

  const changed = (tx: Repositories, id: string) => tx.incidents.memberConversations(id);

  const publishAfter = (conversationIds: string[], sent: boolean) => {
    if (sent) events.publish({ type: 'outbox.enqueued' });
    if (conversationIds.length > 0) events.publish({ type: 'conversations.changed', conversationIds });
  };

  return {
    async list(query: { status?: IncidentStatus; cursor?: string; limit: number }) {
      const items = await repos.incidents.list(query.status ? { status: query.status } : {}, query.cursor ? decodeCursor(query.cursor) : null, query.limit + 1);
      const page = items.slice(0, query.limit);
      const last = page[page.length - 1];
      return { items: page, nextCursor: items.length > query.limit && last ? encodeCursor(last) : null };
    },

    /** The incident with its members (capped), the channels they came from, and why they were grouped. */
    async get(id: string) {
      const incident = await mustGet(repos, id);
      const members = await repos.incidents.members(id, 500);
      return { incident, members };
    },

    async confirm(id: string, actor: Actor): Promise<Incident> {
      return uow(async (tx) => {
        const incident = await mustGet(tx, id);
        if (incident.status === 'resolved') throw new AppError('conflict', 'a resolved incident cannot be confirmed');
        if (incident.status === 'confirmed') return incident;
        const now = clock.now();
        await updateSavedDetector(tx, detectorOptions, now, (d) => d.confirm(id, now));
        await tx.incidents.setStatus(id, 'confirmed', actor.userId, now);
        await recordAudit(tx, actor, now, 'incident.confirm', { type: 'incident', id });
        return mustGet(tx, id);
      });
    },

    /** Writes the acknowledgement once and queues it to every member conversation (confirming a suspected incident). */
    async acknowledge(id: string, text: string, actor: Actor) {
      const body = text.trim();
      if (!body) throw new AppError('validation_failed', 'an acknowledgement needs text', 'text');
      const result = await uow(async (tx) => {
        let incident = await mustGet(tx, id);
        if (incident.status === 'resolved') throw new AppError('conflict', 'the incident is resolved; send a resolution notice instead');
        const now = clock.now();
        if (incident.status === 'suspected') {
          await updateSavedDetector(tx, detectorOptions, now, (d) => d.confirm(id, now));
          await tx.incidents.setStatus(id, 'confirmed', actor.userId, now);
        }
        await tx.incidents.setAcknowledgement(id, body, now);
        incident = await mustGet(tx, id);
        const sent = await fanOut(tx, incident, 'ack', body, actor, now);
        await recordAudit(tx, actor, now, 'incident.acknowledge', { type: 'incident', id }, { queued: sent.queued, skipped: sent.skipped });
        return { incident, ...sent, conversationIds: await changed(tx, id) };
      });
      publishAfter(result.conversationIds, result.queued > 0);
      return { incident: result.incident, queued: result.queued, skipped: result.skipped };
    },

    /** Closes the incident (the detector stops adding members) and fans the resolution notice out. */
    async resolve(id: string, text: string, actor: Actor) {
      const body = text.trim();
      if (!body) throw new AppError('validation_failed', 'a resolution notice needs text', 'text');
      const result = await uow(async (tx) => {
        const before = await mustGet(tx, id);
        const now = clock.now();
        if (before.status !== 'resolved') {
          await updateSavedDetector(tx, detectorOptions, now, (d) => d.resolve(id, now));
          await tx.incidents.setStatus(id, 'resolved', actor.userId, now);
        }
        await tx.incidents.setResolution(id, body, now);
        const incident = await mustGet(tx, id);
        const sent = await fanOut(tx, incident, 'resolve', body, actor, now);
        await recordAudit(tx, actor, now, 'incident.resolve', { type: 'incident', id }, { queued: sent.queued, skipped: sent.skipped });
        return { incident, ...sent, conversationIds: await changed(tx, id) };
      });
      publishAfter(result.conversationIds, result.queued > 0);
      return { incident: result.incident, queued: result.queued, skipped: result.skipped };
    },

    /**
     * Attaches a conversation the detector left out (an agent recognises a stray outage report): its inbound messages
     * become members, and if the incident's acknowledgement already went out the conversation gets it now, once.
     */
    async attachConversation(id: string, conversationId: string, actor: Actor): Promise<{ incident: Incident; attached: boolean; acknowledged: boolean }> {
      const result = await uow(async (tx) => {
        const incident = await mustGet(tx, id);
        if (incident.status === 'resolved') throw new AppError('conflict', 'the incident is resolved; it takes no more members');
        const conversation = await tx.conversations.get(conversationId);
        if (!conversation) throw new AppError('conversation_not_found', `no conversation ${conversationId}`, 'conversationId');
        if (conversation.incidentId === id) return { incident, attached: false, acknowledged: false };
        const thread = await tx.messages.listByConversation(conversationId, 500);
        const inbound = thread.filter((m) => m.direction === 'in');
        const last = inbound[inbound.length - 1];
        if (!last) throw new AppError('validation_failed', 'the conversation has no customer message to attach', 'conversationId');
        const now = clock.now();
        await tx.incidents.attachMembers(id, inbound.map((m) => m.id));
        const channel = (await tx.channels.get(conversation.channelId)) ?? undefined;
        const answering = { externalId: last.externalId, kind: last.kind, authorPlatformId: last.author.platformId, authorHandle: last.author.handle, authorDisplayName: last.author.displayName, authorEmail: last.author.email };
        const acknowledged = await acknowledgeLateMember(tx, incident, { ...conversation, incidentId: id }, channel, answering, now, deps.publicUrl ?? null, actor.userId);
        await recordAudit(tx, actor, now, 'incident.attach', { type: 'incident', id }, { conversationId, acknowledged });
        return { incident, attached: true, acknowledged };
      });
      publishAfter(result.attached ? [conversationId] : [], result.acknowledged);
      return result;
    },

    /** The public status page: confirmed, unresolved incidents with what we told customers. */
    async publicStatus() {
      const open = await repos.incidents.list({ status: 'confirmed' }, null, 50);
      return open.map((i) => ({ id: i.id, acknowledgement: i.acknowledgement, since: i.confirmedAt ?? i.suspectedAt, updatedAt: i.updatedAt }));
    },
  };
};

export type IncidentsService = ReturnType<typeof createIncidentsService>;
