import { z } from 'zod';

/** A phone channel's stored config: how numbers are read and how far a delivery's clock may drift. */
export const phoneConfigSchema = z.object({
  /** ISO country for numbers the telephony system sends without a country code ("0171 …"). */
  defaultCountry: z.string().regex(/^[A-Z]{2}$/).optional(),
  /** Deliveries whose timestamp is further than this from now are refused as replays. */
  replayWindowSeconds: z.number().int().min(30).max(3600).default(300),
  /**
   * The telephony system authenticates caller ids (e.g. a carrier that only passes STIR/SHAKEN "A" attested
   * numbers). Then a number is a verified contact and links customers automatically; otherwise only a
   * delivery marked `attestation: "A"` is, and other numbers only produce suggestions.
   */
  callerIdVerified: z.boolean().default(false),
  /** The business line shown to agents ("+1 800 …"), optional. */
  lineNumber: z.string().max(64).optional(),
});
export type PhoneConfig = z.infer<typeof phoneConfigSchema>;

export const phoneCredentialsSchema = z.object({
  /** Shared with the telephony system; signs every delivery (HMAC-SHA256). */
  signingSecret: z.string().min(16),
});
