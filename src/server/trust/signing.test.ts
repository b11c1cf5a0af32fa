import { describe, expect, it } from 'vitest';
import { deriveSigningKey, signLinkToken, verifyLinkToken } from './signing.js';

describe('trust link signing', () => {
  const key = deriveSigningKey(Buffer.alloc(32, 7));

  it('accepts its own token until it expires', () => {
    const token = signLinkToken(key, 'abc123', 2_000);
    expect(verifyLinkToken(key, token, 1_000)).toEqual({ ok: true, id: 'abc123', expiresAt: 2_000 });
    expect(verifyLinkToken(key, token, 2_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a changed id, a changed expiry, another key and garbage', () => {
    const token = signLinkToken(key, 'abc123', 2_000);
    const [, exp, mac] = token.split('.');
    expect(verifyLinkToken(key, `abc124.${exp}.${mac}`, 1_000).ok).toBe(false);
    expect(verifyLinkToken(key, `abc123.${(9_999).toString(36)}.${mac}`, 1_000).ok).toBe(false);
    expect(verifyLinkToken(deriveSigningKey(Buffer.alloc(32, 8)), token, 1_000).ok).toBe(false);
    expect(verifyLinkToken(key, 'nonsense', 1_000)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('derives different keys for different purposes', () => {
    expect(deriveSigningKey(Buffer.alloc(32, 7), 'a').equals(deriveSigningKey(Buffer.alloc(32, 7), 'b'))).toBe(false);
  });
});
