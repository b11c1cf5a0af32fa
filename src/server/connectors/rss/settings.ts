import { z } from 'zod';

/** An RSS/Atom channel's stored config: the feeds to read and optional listening rules. */
export const rssConfigSchema = z.object({
  feeds: z.array(z.url()).min(1),
  listeningQueries: z.array(z.string().min(1)).default([]),
  keywords: z.array(z.string().min(1)).default([]),
  userAgent: z.string().min(1).default('Parley/0.1 (feed reader)'),
});
