import { z } from 'zod';

export const graphConfigFields = {
  graphBaseUrl: z.url().default('https://graph.facebook.com'),
  graphVersion: z.string().regex(/^v\d+\.\d+$/).default('v23.0'),
  /** Use the HUMAN_AGENT tag for replies 24 h–7 days after the customer's last message (needs Meta's permission). */
  humanAgentTag: z.boolean().default(true),
  /** Pause calls once the usage headers report this percentage. */
  pauseAbovePercent: z.number().min(1).max(100).default(95),
};

export const facebookConfigSchema = z.object({ pageId: z.string().min(1), ...graphConfigFields });
export const instagramConfigSchema = z.object({
  /** The Instagram professional account id (webhook entry.id, the sender of our replies). */
  igUserId: z.string().min(1),
  /** For accounts connected through a Facebook Page, DMs are sent as the Page. */
  pageId: z.string().min(1).optional(),
  ...graphConfigFields,
});

export const metaCredentialsSchema = z.object({
  /** Page access token (Facebook, Instagram via a Page) or Instagram-Login token. */
  accessToken: z.string().min(1),
  /** Instagram-Login tokens only (60 days): when it lapses and when it was issued, epoch ms; Parley refreshes it ahead. */
  accessTokenExpiresAt: z.number().int().optional(),
  accessTokenIssuedAt: z.number().int().optional(),
  /** App secret: webhook signatures and appsecret_proof. */
  appSecret: z.string().min(1).optional(),
  /** Our hub.verify_token for the subscription handshake. */
  verifyToken: z.string().min(1).optional(),
  /** Send appsecret_proof with every call (on when "Require App Secret" is set for the app). */
  appSecretProof: z.boolean().default(false),
});
