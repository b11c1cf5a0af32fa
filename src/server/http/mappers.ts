import type { ConversationDto, MessageDto, UserDto } from '../../shared/api.js';
import type { Role } from '../../shared/permissions.js';
import type { Channel } from '../repositories/channels.repository.js';
import type { Conversation } from '../repositories/conversations.repository.js';
import type { Customer, Identity } from '../repositories/customers.repository.js';
import type { Message } from '../repositories/messages.repository.js';
import type { OutboxItem } from '../repositories/outbox.repository.js';
import type { UserView } from '../services/users.service.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export const toConversationDto = (c: Conversation): ConversationDto => ({
  id: c.id,
  channelId: c.channelId,
  customerId: c.customerId,
  threadKey: c.threadKey,
  status: c.status,
  visibility: c.visibility,
  subject: c.subject,
  priority: c.priority,
  priorityBand: c.priorityBand,
  priorityParts: c.priorityParts,
  sentiment: c.sentiment,
  intent: c.intent,
  language: c.language,
  assigneeId: c.assigneeId,
  teamId: c.teamId,
  queue: c.queue,
  messageCount: c.messageCount,
  unreadCount: c.unreadCount,
  lastMessageAt: iso(c.lastMessageAt),
  lastMessagePreview: c.lastMessagePreview,
  lastMessageDirection: c.lastMessageDirection,
  firstResponseAt: isoOrNull(c.firstResponseAt),
  slaDueAt: isoOrNull(c.slaDueAt),
  incidentId: c.incidentId,
  tags: c.tags,
  ...(c.customerHandle !== undefined ? { customerHandle: c.customerHandle, customerName: c.customerName ?? null } : {}),
  createdAt: iso(c.createdAt),
  resolvedAt: isoOrNull(c.resolvedAt),
  snoozedUntil: isoOrNull(c.snoozedUntil),
  mergedIntoId: c.mergedIntoId,
  answerOwedSince: isoOrNull(c.answerOwedSince),
});

const toAttachmentDto = (value: unknown): NonNullable<MessageDto['attachments']>[number] => {
  const a = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return { url: text(a.url), contentType: text(a.contentType), name: text(a.name), size: typeof a.size === 'number' ? a.size : null };
};

export const toMessageDto = (m: Message, outbox?: OutboxItem): MessageDto => ({
  id: m.id,
  channelId: m.channelId,
  externalId: m.externalId,
  conversationId: m.conversationId,
  customerId: m.customerId,
  direction: m.direction,
  kind: m.kind,
  visibility: m.visibility,
  author: { platformId: m.author.platformId, handle: m.author.handle, displayName: m.author.displayName, followers: m.author.followers, verified: m.author.verified },
  text: m.text,
  subject: m.subject,
  url: m.url,
  createdAt: iso(m.createdAt),
  receivedAt: iso(m.receivedAt),
  editedAt: isoOrNull(m.editedAt),
  deleted: m.deletedAt !== null,
  stage: m.stage,
  classification: m.classification,
  modelVersion: m.modelVersion,
  sentByUserId: m.sentByUserId,
  delivery: outbox ? { status: outbox.status, lastError: outbox.lastError, attempts: outbox.attempts } : null,
  attachments: m.attachments.map(toAttachmentDto),
});

export const toUserDto = (u: UserView): UserDto => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role as Role,
  status: u.status,
  capacity: u.capacity,
  disabled: u.disabled,
  teamIds: u.teamIds,
  skills: u.skills,
});

export const toCustomerDto = (c: Customer) => ({
  id: c.id,
  displayName: c.displayName,
  handle: c.handle,
  followers: c.followers,
  verified: c.verified,
  tier: c.tier,
  fields: c.fields,
  createdAt: iso(c.createdAt),
});

export const toIdentityDto = (i: Identity) => ({ id: i.id, platform: i.platform, platformId: i.platformId, handle: i.handle, displayName: i.displayName, followers: i.followers, verified: i.verified });

export const toChannelDto = (c: Channel) => ({
  id: c.id,
  brandId: c.brandId,
  platform: c.platform,
  name: c.name,
  status: c.status,
  config: c.config,
  hasCredentials: c.sealedCredentials !== null,
  health: { lastEventAt: isoOrNull(c.lastEventAt), lastError: c.lastError, lastErrorAt: isoOrNull(c.lastErrorAt) },
  createdAt: iso(c.createdAt),
});
