import { createHmac, hkdfSync } from 'node:crypto';
import { constantTimeEqual } from '../platform/crypto.js';

/** A key for signing trust links, derived from the app secret so the secret itself never signs anything directly. */
export const deriveSigningKey = (secret: Buffer, purpose = 'parley/trust-links/v1'): Buffer =>
  Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), purpose, 32));

export const hmacHex = (key: Buffer, data: string): string => createHmac('sha256', key).update(data).digest('hex');

/** `<id>.<expiresAt base36>.<mac>`: the id names the stored link; the MAC stops forging and guessing ids. */
export const signLinkToken = (key: Buffer, id: string, expiresAt: number): string => {
  const body = `${id}.${expiresAt.toString(36)}`;
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
};

export type LinkTokenCheck = { ok: true; id: string; expiresAt: number } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

export const verifyLinkToken = (key: Buffer, token: string, now: number): LinkTokenCheck => {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [id, exp, mac] = parts as [string, string, string];
  if (!/^[\w-]{1,64}$/.test(id) || !/^[0-9a-z]{1,12}$/.test(exp)) return { ok: false, reason: 'malformed' };
  const expected = createHmac('sha256', key).update(`${id}.${exp}`).digest('base64url');
  if (!constantTimeEqual(mac, expected)) return { ok: false, reason: 'bad_signature' };
  const expiresAt = parseInt(exp, 36);
  if (expiresAt <= now) return { ok: false, reason: 'expired' };
  return { ok: true, id, expiresAt };
};
