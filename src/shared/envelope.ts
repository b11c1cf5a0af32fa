import { z } from 'zod';

/** Platforms Parley speaks. `import` and `sim` are internal sources. */
export const platforms = [
  'x',
  'facebook',
  'instagram',
  'whatsapp',
  'reddit',
  'mastodon',
  'bluesky',
  'rss',
  'email',
  'chat',
  'form',
  'phone',
  'import',
] as const;
export const platformSchema = z.enum(platforms);
export type Platform = z.infer<typeof platformSchema>;

export const messageKinds = ['post', 'comment', 'reply', 'dm', 'email', 'chat', 'form', 'call'] as const;
export const messageKindSchema = z.enum(messageKinds);
export type MessageKind = z.infer<typeof messageKindSchema>;

export const visibilitySchema = z.enum(['public', 'private']);
export type Visibility = z.infer<typeof visibilitySchema>;

export const authorSchema = z.strictObject({
  platformId: z.string().min(1).max(256),
  handle: z.string().max(256).nullish(),
  displayName: z.string().max(512).nullish(),
  followers: z.number().int().min(0).max(10_000_000_000).nullish(),
  verified: z.boolean().nullish(),
  email: z.string().max(320).nullish(),
  phone: z.string().max(64).nullish(),
});
export type Author = z.infer<typeof authorSchema>;

export const attachmentSchema = z.strictObject({
  url: z.string().max(4096).nullish(),
  contentType: z.string().max(256).nullish(),
  name: z.string().max(512).nullish(),
  size: z.number().int().min(0).nullish(),
});

/** The canonical message every channel adapter maps to (ARCHITECTURE.md). */
export const envelopeSchema = z.strictObject({
  channelId: z.string().min(1).max(64),
  externalId: z.string().min(1).max(256),
  kind: messageKindSchema,
  visibility: visibilitySchema,
  author: authorSchema,
  text: z.string().max(100_000),
  html: z.string().max(1_000_000).nullish(),
  subject: z.string().max(1000).nullish(),
  attachments: z.array(attachmentSchema).max(50).default([]),
  inReplyTo: z.string().max(256).nullish(),
  threadKey: z.string().max(512).nullish(),
  url: z.string().max(4096).nullish(),
  createdAt: z.iso.datetime({ offset: true }),
  /** Found by a listening rule rather than addressed to the brand. */
  listening: z.boolean().nullish(),
  /** Edit of an earlier version with the same externalId. */
  editedAt: z.iso.datetime({ offset: true }).nullish(),
  raw: z.unknown().optional(),
});
export type Envelope = z.infer<typeof envelopeSchema>;
export type EnvelopeInput = z.input<typeof envelopeSchema>;

/** Largest batch accepted by one ingest call. */
export const maxIngestBatch = 1000;
