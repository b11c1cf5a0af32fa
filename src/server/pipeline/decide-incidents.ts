import { DEFAULT_INCIDENT_JOIN, matchConfirmedIncident, type JoinableIncident } from '../decide/incident-join.js';
import type { Channel } from '../repositories/channels.repository.js';
import type { Conversation } from '../repositories/conversations.repository.js';
import type { Incident } from '../repositories/incidents.repository.js';
import type { Repositories } from '../repositories/index.js';
import type { PipelineMessage } from '../repositories/messages.repository.js';
import { classificationRecordOf } from './decide-context.js';
import { incidentNoticeKey, wordNotice, type Notice } from './incident-notice.js';
import { checkOutboundReply, queueOutboundReply } from './outbound-reply.js';

/** Confirmed incidents a batch's posts may join or be acknowledged by, read once per batch and only when needed. */
export interface BatchIncidents {
  byId: ReadonlyMap<string, Incident>;
  joinable: readonly JoinableIncident[];
}

const NONE: BatchIncidents = { byId: new Map(), joinable: [] };

export const loadBatchIncidents = async (repos: Repositories, inbound: readonly PipelineMessage[], conversations: readonly Conversation[]): Promise<BatchIncidents> => {
  const needed = conversations.some((c) => c.incidentId !== null) || inbound.some((m) => m.intent !== null && DEFAULT_INCIDENT_JOIN.intents.has(m.intent));
  if (!needed) return NONE;
  const confirmed = await repos.incidents.list({ status: 'confirmed' }, null, 50);
  if (confirmed.length === 0) return NONE;
  const channelIds = [...new Set(confirmed.flatMap((i) => Object.keys(i.channels)))];
  const brandOf = new Map((await repos.channels.getMany(channelIds)).map((c) => [c.id, c.brandId]));
  return {
    byId: new Map(confirmed.map((i) => [i.id, i])),
    joinable: confirmed.map((i) => ({
      id: i.id,
      status: i.status,
      terms: i.terms,
      lastMemberAt: i.window.to,
      brandIds: new Set(Object.keys(i.channels).filter((id) => brandOf.has(id)).map((id) => brandOf.get(id) ?? null)),
    })),
  };
};

const intentScoreOf = (m: PipelineMessage): number | null => {
  const score = (classificationRecordOf(m).intent as { score?: unknown } | undefined)?.score;
  return typeof score === 'number' ? score : null;
};

/** The batch's posts (of one conversation) that join a confirmed incident the detector left them out of. */
export const joinConfirmedIncident = (incidents: BatchIncidents, posts: readonly PipelineMessage[], channel: Channel | undefined): { incidentId: string; messageIds: string[] } | null => {
  if (incidents.joinable.length === 0 || !channel) return null;
  let incidentId: string | null = null;
  const messageIds: string[] = [];
  for (const m of posts) {
    if (m.spam) continue;
    const join = matchConfirmedIncident({ intent: m.intent, intentScore: intentScoreOf(m), text: m.text, createdAt: m.createdAt, brandId: channel.brandId }, incidents.joinable);
    if (!join || (incidentId !== null && join.incidentId !== incidentId)) continue;
    incidentId = join.incidentId;
    messageIds.push(m.id);
  }
  return incidentId === null ? null : { incidentId, messageIds };
};

type Answering = Pick<PipelineMessage, 'externalId' | 'kind' | 'authorPlatformId' | 'authorHandle' | 'authorDisplayName' | 'authorEmail'>;

/**
 * One incident notice (acknowledgement or resolution) to one member conversation, worded for its channel, under the
 * notice's own idempotency key (so never twice), counted as the conversation's first response. `blocked` carries the
 * PII guard's verdict; `skipped` means it was queued before.
 */
export const queueIncidentNotice = async (
  repos: Repositories,
  input: { incident: Incident; notice: Notice; text: string; conversation: Conversation; channel: Channel; answering: Answering | null; sentBy: string; now: number; publicUrl: string | null },
): Promise<{ status: 'queued' | 'skipped' } | { status: 'blocked'; verdict: Awaited<ReturnType<typeof checkOutboundReply>> }> => {
  const { incident, conversation, channel, answering } = input;
  const visibility = conversation.visibility === 'private' ? 'private' : 'public';
  const text = wordNotice(channel.platform, input.text, { handle: answering?.authorHandle ?? null, displayName: answering?.authorDisplayName ?? null });
  const verdict = await checkOutboundReply(repos, text, visibility);
  if (!verdict.allowed) return { status: 'blocked', verdict };
  const sent = await queueOutboundReply(repos, {
    conversation,
    channel,
    answering: answering ? { externalId: answering.externalId, kind: answering.kind, authorPlatformId: answering.authorPlatformId, authorHandle: answering.authorHandle, authorEmail: answering.authorEmail } : null,
    text,
    visibility,
    idempotencyKey: incidentNoticeKey(incident.id, input.notice, conversation.id),
    sentBy: input.sentBy,
    now: input.now,
    payloadExtra: { incidentId: incident.id },
    isFirstResponse: true,
    publicUrl: input.publicUrl,
  });
  return { status: sent ? 'queued' : 'skipped' };
};

/**
 * A member that joins an incident after its acknowledgement went out gets that acknowledgement too (see
 * queueIncidentNotice). Returns false when there is nothing to send, it was sent before, or the PII guard refuses it.
 */
export const acknowledgeLateMember = async (
  repos: Repositories,
  incident: Incident | undefined,
  conversation: Conversation,
  channel: Channel | undefined,
  answering: Answering,
  now: number,
  publicUrl: string | null,
  /** Who sends it: the person who attached the conversation, else the incident itself. */
  sentBy?: string,
): Promise<boolean> => {
  if (!incident || incident.status !== 'confirmed' || !incident.acknowledgement || !channel) return false;
  const result = await queueIncidentNotice(repos, { incident, notice: 'ack', text: incident.acknowledgement, conversation, channel, answering, sentBy: sentBy ?? `incident:${incident.id}`, now, publicUrl });
  return result.status === 'queued';
};
