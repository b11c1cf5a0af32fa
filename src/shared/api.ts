import { z } from 'zod';
import { roles } from './permissions.js';

/** Response and request schemas of /api/v1 shared with the SPA. */
export const idSchema = z.string().min(1).max(64);

export const priorityPartSchema = z.object({ name: z.string(), points: z.number(), why: z.string() });

export const conversationSchema = z.object({
  id: z.string(),
  channelId: z.string(),
  customerId: z.string().nullable(),
  threadKey: z.string(),
  status: z.string(),
  visibility: z.string(),
  subject: z.string().nullable(),
  priority: z.number(),
  priorityBand: z.string(),
  priorityParts: z.array(priorityPartSchema),
  sentiment: z.string().nullable(),
  intent: z.string().nullable(),
  language: z.string().nullable(),
  assigneeId: z.string().nullable(),
  teamId: z.string().nullable(),
  queue: z.string(),
  messageCount: z.number(),
  unreadCount: z.number(),
  lastMessageAt: z.string(),
  lastMessagePreview: z.string(),
  lastMessageDirection: z.string(),
  firstResponseAt: z.string().nullable(),
  slaDueAt: z.string().nullable(),
  incidentId: z.string().nullable(),
  tags: z.array(z.string()),
  customerHandle: z.string().nullable().optional(),
  customerName: z.string().nullable().optional(),
  createdAt: z.string(),
  resolvedAt: z.string().nullable(),
  /** While snoozed: when it comes back to the open queue. */
  snoozedUntil: z.string().nullable().optional(),
  /** A merged-away conversation (status `merged`) points at the one that absorbed it. */
  mergedIntoId: z.string().nullable().optional(),
  /** A holding reply went out and the full answer is still owed, since then. */
  answerOwedSince: z.string().nullable().optional(),
});
export type ConversationDto = z.infer<typeof conversationSchema>;

/** A hand-made merge or split, undoable while nothing has happened to its conversations since. */
export const conversationOperationSchema = z.object({
  id: z.string(),
  kind: z.enum(['merge', 'split']),
  sourceId: z.string(),
  targetId: z.string(),
  actorId: z.string(),
  messageIds: z.array(z.string()),
  createdAt: z.string(),
  undoneAt: z.string().nullable(),
  undoneBy: z.string().nullable(),
});
export type ConversationOperationDto = z.infer<typeof conversationOperationSchema>;

export const messageSchema = z.object({
  id: z.string(),
  channelId: z.string(),
  externalId: z.string(),
  conversationId: z.string().nullable(),
  customerId: z.string().nullable(),
  direction: z.enum(['in', 'out']),
  kind: z.string(),
  visibility: z.enum(['public', 'private']),
  author: z.object({ platformId: z.string(), handle: z.string().nullable(), displayName: z.string().nullable(), followers: z.number(), verified: z.boolean() }),
  text: z.string(),
  subject: z.string().nullable(),
  url: z.string().nullable(),
  createdAt: z.string(),
  receivedAt: z.string(),
  editedAt: z.string().nullable(),
  deleted: z.boolean(),
  stage: z.string(),
  classification: z.record(z.string(), z.unknown()).nullable(),
  modelVersion: z.string().nullable(),
  sentByUserId: z.string().nullable(),
  delivery: z.object({ status: z.string(), lastError: z.string().nullable(), attempts: z.number() }).nullable(),
  /** Files the message carries: inbound ones as the platform described them, a reply's as /api/v1/attachments/:id links. */
  attachments: z.array(z.object({ url: z.string().nullable(), contentType: z.string().nullable(), name: z.string().nullable(), size: z.number().nullable() })).optional(),
});
export type MessageDto = z.infer<typeof messageSchema>;

export const noteSchema = z.object({ id: z.string(), authorId: z.string(), body: z.string(), mentions: z.array(z.string()), createdAt: z.string() });

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(roles),
  status: z.string(),
  capacity: z.number(),
  disabled: z.boolean(),
  teamIds: z.array(z.string()),
  skills: z.array(z.string()),
});
export type UserDto = z.infer<typeof userSchema>;

export const customerSchema = z.object({
  id: z.string(),
  displayName: z.string().nullable(),
  handle: z.string().nullable(),
  followers: z.number(),
  verified: z.boolean(),
  tier: z.string(),
  fields: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});

export const identitySchema = z.object({
  id: z.string(),
  platform: z.string(),
  platformId: z.string(),
  handle: z.string().nullable(),
  displayName: z.string().nullable(),
  followers: z.number(),
  verified: z.boolean(),
});

export const teamSchema = z.object({ id: z.string(), name: z.string(), kind: z.string(), memberIds: z.array(z.string()) });

export const channelSchema = z.object({
  id: z.string(),
  brandId: z.string().nullable(),
  platform: z.string(),
  name: z.string(),
  status: z.string(),
  config: z.record(z.string(), z.unknown()),
  hasCredentials: z.boolean(),
  health: z.object({ lastEventAt: z.string().nullable(), lastError: z.string().nullable(), lastErrorAt: z.string().nullable() }),
  createdAt: z.string(),
});

export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  code: z.string(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

export const incidentSchema = z.object({
  id: z.string(),
  status: z.enum(['suspected', 'confirmed', 'resolved']),
  terms: z.array(z.string()).describe('Terms the members share, most telling first: why they were grouped'),
  window: z.object({ from: z.string(), to: z.string() }),
  confidence: z.number(),
  memberCount: z.number(),
  channels: z.record(z.string(), z.number()),
  platforms: z.record(z.string(), z.number()),
  acknowledgement: z.string().nullable(),
  resolution: z.string().nullable(),
  suspectedAt: z.string(),
  confirmedAt: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
});
export type IncidentDto = z.infer<typeof incidentSchema>;

export const incidentMemberSchema = z.object({
  messageId: z.string(),
  conversationId: z.string().nullable(),
  channelId: z.string(),
  customerId: z.string().nullable(),
  authorHandle: z.string().nullable(),
  text: z.string(),
  createdAt: z.string(),
});

export const incidentFanOutSchema = z.object({ incident: incidentSchema, queued: z.number(), skipped: z.number() });

export const publicStatusSchema = z.object({
  incidents: z.array(z.object({ id: z.string(), acknowledgement: z.string().nullable(), since: z.string(), updatedAt: z.string() })),
});

export const mergeSuggestionSchema = z.object({
  id: z.string(),
  customerId: z.string(),
  otherCustomerId: z.string(),
  score: z.number(),
  reasons: z.array(z.string()),
  status: z.enum(['pending', 'accepted', 'rejected']),
  mergeId: z.string().nullable(),
  createdAt: z.string(),
});

export const mergeSchema = z.object({
  id: z.string(),
  kind: z.enum(['customer', 'conversation_merge', 'conversation_split']),
  targetId: z.string(),
  sourceId: z.string(),
  moved: z.object({ identityIds: z.array(z.string()).optional(), conversationIds: z.array(z.string()).optional(), messageIds: z.array(z.string()).optional() }),
  reason: z.string(),
  createdAt: z.string(),
  undoneAt: z.string().nullable(),
});

// Decide: priority settings, SLA policies, automation rules, macros and the service reports.
export const prioritySettingsSchema = z.object({ overrides: z.record(z.string(), z.unknown()), effective: z.record(z.string(), z.unknown()) });

export const slaPolicyDtoSchema = z.object({
  id: z.string(),
  name: z.string(),
  position: z.number(),
  appliesTo: z.object({ channels: z.array(z.string()).optional(), visibility: z.enum(['public', 'private']).optional() }),
  businessHours: z.boolean(),
  warnAtRatio: z.number(),
  defaults: z.object({ firstResponseMinutes: z.number(), nextResponseMinutes: z.number(), resolutionMinutes: z.number() }),
  overrides: z.array(z.record(z.string(), z.unknown())),
  calendar: z.object({ timeZone: z.string(), hours: z.record(z.string(), z.array(z.object({ open: z.string(), close: z.string() }))), holidays: z.array(z.string()) }),
  builtin: z.boolean(),
  updatedAt: z.string(),
});

export const ruleDtoSchema = z.object({
  id: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  trigger: z.string(),
  conditions: z.unknown(),
  actions: z.array(z.record(z.string(), z.unknown())),
  stopProcessing: z.boolean(),
  /** Schedule rules: minutes between runs. */
  everyMinutes: z.number().optional(),
  position: z.number(),
  updatedAt: z.string(),
});

export const ruleDryRunSchema = z.object({
  ruleId: z.string(),
  trigger: z.string(),
  examined: z.number(),
  matched: z.number(),
  results: z.array(z.object({ messageId: z.string(), conversationId: z.string().nullable(), text: z.string(), createdAt: z.string(), matched: z.boolean(), actions: z.array(z.record(z.string(), z.unknown())) })),
});

export const ruleRunSchema = z.object({ id: z.string(), ruleId: z.string(), eventType: z.string(), conversationId: z.string().nullable(), messageId: z.string().nullable(), actions: z.array(z.unknown()), causation: z.object({ ruleIds: z.array(z.string()), depth: z.number() }), at: z.string() });

export const macroDtoSchema = z.object({ id: z.string(), name: z.string(), body: z.string(), variants: z.record(z.string(), z.string()), updatedAt: z.string() });

export const macroRenderSchema = z.object({
  ok: z.boolean(),
  channel: z.string(),
  text: z.string().nullable(),
  length: z.number().optional(),
  max: z.number().nullable().optional(),
  errors: z.array(z.record(z.string(), z.unknown())),
});

export const slaReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  policies: z.array(z.object({ policyId: z.string(), policyName: z.string(), metric: z.string(), met: z.number(), breached: z.number(), pending: z.number(), pct: z.number().nullable() })),
});

const equityGroupSchema = z.object({
  key: z.string(),
  conversations: z.number(),
  answered: z.number(),
  responseRatePct: z.number().nullable(),
  ttfrMedianMin: z.number().nullable(),
  ttfrP90Min: z.number().nullable(),
  resolved: z.number(),
  resolutionMedianMin: z.number().nullable(),
});

export const equityReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  conversations: z.number(),
  truncated: z.boolean(),
  groups: z.record(z.string(), z.array(equityGroupSchema)),
  warnings: z.array(z.object({ dimension: z.string(), favoured: z.string(), compared: z.string(), ratio: z.number(), pValue: z.number(), message: z.string() })),
  goodwill: z.null().describe('goodwill is not tracked yet'),
});
