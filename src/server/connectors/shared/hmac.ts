import { createHmac, timingSafeEqual } from 'node:crypto';

export function hmacSha256(key: string | Buffer, data: string | Buffer, encoding: 'hex' | 'base64'): string {
  return createHmac('sha256', key).update(data).digest(encoding);
}

/** Constant-time string comparison; unequal lengths are rejected before comparing (timingSafeEqual needs equal lengths). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Does `header` equal `sha256=<digest of rawBody>`? The digest is computed over the raw bytes, never re-serialised JSON. */
export function verifySha256Signature(
  header: string | undefined,
  secret: string,
  rawBody: Buffer,
  encoding: 'hex' | 'base64',
): boolean {
  if (!header || !secret) return false;
  const expected = `sha256=${hmacSha256(secret, rawBody, encoding)}`;
  // Meta documents lowercase hex; accept an uppercase sender without weakening the comparison.
  return safeEqual(encoding === 'hex' ? header.trim().toLowerCase() : header.trim(), expected);
}

/** Case-insensitive header lookup over the plain record the HTTP edge hands in. */
export function headerValue(headers: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const direct = headers[name];
  if (direct !== undefined) return direct;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}
