import { randomBytes } from 'node:crypto';
import { measureForChannel } from '../decide/channel-limits.js';

// Crockford base32 without look-alikes (no I, L, O, U): easy to read aloud and type from a screenshot.
const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** An 8-character code (40 bits): unguessable enough for a lookup page that is rate limited. */
export const newVerificationCode = (): string => [...randomBytes(8)].map((b) => alphabet[b % 32]).join('');

export const normaliseCode = (code: string): string => code.trim().toUpperCase().replace(/[^0-9A-Z]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');

/** `link`: a verify link; `code`: only a short reference; `off`: nothing added (the reply still gets a code on file). */
export type ReplyProofMode = 'off' | 'code' | 'link';

export interface ReplyProofSettings {
  mode: ReplyProofMode;
  /** Per-channel overrides by channel id. */
  channels: Record<string, ReplyProofMode>;
}

export const REPLY_PROOF_KEY = 'trust.replyProof';
export const defaultReplyProof: ReplyProofSettings = { mode: 'link', channels: {} };

/** The mode for one channel from the stored (possibly partial) setting. */
export const proofModeFor = (stored: Partial<ReplyProofSettings> | null, channelId: string): ReplyProofMode => {
  const s = { ...defaultReplyProof, ...(stored ?? {}) };
  return s.channels[channelId] ?? s.mode;
};

const carriedCode = /\/p\/verify\?code=([0-9A-Z]{8})(?![0-9A-Za-z])/;

/** A code the text already carries in a verify link (a reply written with its own proof). */
export const proofCodeIn = (text: string): string | null => carriedCode.exec(text)?.[1] ?? null;

/**
 * The text with the codes of its own verify links blanked (same length, so finding spans still point into the
 * original): a random proof code is not personal data, though digits in it can look like a one-time code.
 */
export const maskProofCodes = (text: string): string => text.replace(new RegExp(carriedCode.source, 'g'), (match: string, code: string) => match.slice(0, match.length - code.length) + 'X'.repeat(code.length));

export const proofLink = (publicUrl: string, code: string): string => `${publicUrl.replace(/\/+$/, '')}/p/verify?code=${code}`;

const fits = (text: string, platform: string | undefined): boolean => {
  if (!platform) return true;
  const m = measureForChannel(text, platform);
  return m.max === null || m.length <= m.max;
};

/**
 * Adds the proof to a public reply within the channel's length limit: the link when it fits (and a public URL is
 * known), else the short code, else nothing. The code is on file either way, so `/p/verify` can check it.
 */
export const attachProof = (text: string, opts: { mode: ReplyProofMode; code: string; platform?: string; publicUrl?: string | null }): { text: string; attached: 'link' | 'code' | null } => {
  if (opts.mode === 'off') return { text, attached: null };
  if (opts.mode === 'link' && opts.publicUrl) {
    const withLink = `${text}\n\nVerify this reply: ${proofLink(opts.publicUrl, opts.code)}`;
    if (fits(withLink, opts.platform)) return { text: withLink, attached: 'link' };
  }
  const withCode = `${text}\n\nRef ${opts.code}`;
  if (fits(withCode, opts.platform)) return { text: withCode, attached: 'code' };
  return { text, attached: null };
};
