import { z } from 'zod';

const strings = z.array(z.string().min(1)).default([]);

/** A Bluesky channel's stored config (CONNECTORS.md §5). */
export const blueskyConfigSchema = z.object({
  pdsUrl: z.url().default('https://bsky.social'),
  jetstreamUrl: z.string().regex(/^wss?:\/\//).default('wss://jetstream2.us-east.bsky.network'),
  brandDid: z.string().startsWith('did:').optional(),
  brandHandle: z.string().min(1).optional(),
  listeningQueries: strings,
  listeningKeywords: strings,
  rewindSeconds: z.number().min(0).default(5),
  /** First start only (no cursor yet): how far back to begin; 0 follows the live tail. */
  backfillSeconds: z.number().min(0).max(129_600).default(0),
  chatServiceDid: z.string().startsWith('did:').optional(),
  reconnectBaseMs: z.number().int().positive().default(1000),
  flushMs: z.number().int().positive().default(200),
});

export const blueskyCredentialsSchema = z.object({
  identifier: z.string().min(1),
  appPassword: z.string().min(1),
  /** A saved AtpSessionData, resumed instead of a new login (createSession is limited to 30 per 5 minutes). */
  session: z.record(z.string(), z.unknown()).nullable().optional(),
});
