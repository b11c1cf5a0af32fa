import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { safeEqual } from '../shared/hmac.js';

/**
 * A visitor's identity across reloads: `v1.<visitorId>.<mac>`, where the id is 128 random bits and the MAC binds it
 * to the channel. The widget keeps it in localStorage; without the channel key nobody can mint or guess one.
 */
export const issueVisitorToken = (key: Buffer, channelId: string, visitorId: string = randomBytes(16).toString('base64url')): { token: string; visitorId: string } => ({
  token: `v1.${visitorId}.${macOf(key, channelId, visitorId)}`,
  visitorId,
});

const macOf = (key: Buffer, channelId: string, visitorId: string): string => createHmac('sha256', key).update(`parley/webchat/v1\n${channelId}\n${visitorId}`).digest('base64url');

/** The visitor id a token proves, or null for a malformed, foreign or forged token. */
export const verifyVisitorToken = (key: Buffer, channelId: string, token: string | undefined | null): string | null => {
  if (!token || token.length > 200) return null;
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== 'v1') return null;
  const [, visitorId, mac] = parts as [string, string, string];
  if (!/^[\w-]{22}$/.test(visitorId)) return null;
  return safeEqual(mac, macOf(key, channelId, visitorId)) ? visitorId : null;
};

/** The channel's token key: its own sealed secret when set (rotate it to sign every visitor out), else derived from the app secret. */
export const visitorTokenKey = (channelSecret: string | undefined, appSecret: Buffer, channelId: string): Buffer =>
  channelSecret ? Buffer.from(hkdfSync('sha256', channelSecret, Buffer.alloc(0), 'parley/webchat/visitor', 32)) : Buffer.from(hkdfSync('sha256', appSecret, Buffer.alloc(0), `parley/webchat/visitor/${channelId}`, 32));
