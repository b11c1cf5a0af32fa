import { z } from 'zod';

const strings = z.array(z.string().min(1)).default([]);

/** A Reddit channel's stored config (CONNECTORS.md §3). */
export const redditConfigSchema = z.object({
  subreddits: strings,
  listeningQueries: strings,
  includeInbox: z.boolean().default(true),
  apiBaseUrl: z.url().default('https://oauth.reddit.com'),
  authBaseUrl: z.url().default('https://www.reddit.com'),
  webBaseUrl: z.url().default('https://www.reddit.com'),
  userAgent: z.string().min(1).optional(),
});

/** Script apps use the password grant; web apps a refresh token from `duration=permanent`. */
export const redditCredentialsSchema = z
  .object({
    clientId: z.string().min(1),
    clientSecret: z.string(),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    refreshToken: z.string().min(1).optional(),
  })
  .refine((c) => Boolean(c.refreshToken) || Boolean(c.username && c.password), { message: 'give refreshToken, or username and password', path: ['refreshToken'] });
