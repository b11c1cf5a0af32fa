import { z } from 'zod';

/** An origin as browsers send it: scheme, host and port only. */
const originSchema = z.string().regex(/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i, 'an origin like https://www.example.com (no path)');

/** A web chat channel's stored config: which sites may embed it and how much a visitor may send. */
export const webchatConfigSchema = z.object({
  /** Sites allowed to load the widget and talk to this channel (CORS); none means the widget works nowhere. */
  allowedOrigins: z.array(originSchema).max(50).default([]),
  title: z.string().min(1).max(80).default('Chat with us'),
  greeting: z.string().max(500).default('Hi! Ask us anything, we usually answer within minutes.'),
  maxMessageChars: z.number().int().min(100).max(10_000).default(2000),
  /** Per visitor; a burst above it is refused with 429 and retry-after. */
  messagesPerMinute: z.number().int().min(1).max(600).default(20),
  /** How often the stream looks for visitor messages written by another process (ms). */
  pollMs: z.number().int().min(50).max(60_000).default(1000),
});
export type WebchatConfig = z.infer<typeof webchatConfigSchema>;

export const webchatCredentialsSchema = z.object({
  /** Signs visitor tokens; when absent a key derived from PARLEY_SECRET_KEY and the channel id is used. */
  visitorTokenSecret: z.string().min(32).optional(),
});
