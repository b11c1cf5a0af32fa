import { z } from 'zod';

/** A Mastodon channel's stored config (CONNECTORS.md §4). */
export const mastodonConfigSchema = z.object({
  baseUrl: z.url(),
  /** WebSocket origin; discovered from `/api/v2/instance` when absent. */
  streamingUrl: z.string().regex(/^wss?:\/\//).optional(),
  accountId: z.string().min(1).optional(),
  listeningQueries: z.array(z.string().min(1)).default([]),
  keywordsAsHashtags: z.boolean().default(false),
  reconnectBaseMs: z.number().int().positive().default(1000),
  /** Recent mentions read again on each catch-up, for edits and deletes made while the stream was down (0: off). */
  recheckRecent: z.number().int().min(0).max(50).default(20),
  /** How often an uploaded video is polled until Mastodon has processed it. */
  mediaPollMs: z.number().int().positive().default(1000),
});

export const mastodonCredentialsSchema = z.object({ accessToken: z.string().min(1) });
