import type { WebhookRequest, WebhookResult } from '../port.js';
import { hmacSha256, headerValue, safeEqual } from '../shared/hmac.js';

export const phoneSignatureHeader = 'x-parley-signature';
export const phoneTimestampHeader = 'x-parley-timestamp';

/** `v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`: the timestamp is signed with the body so it cannot be swapped. */
export const signPhoneDelivery = (secret: string, timestamp: number, rawBody: Buffer): string =>
  `v1=${hmacSha256(secret, Buffer.concat([Buffer.from(`${timestamp}.`), rawBody]), 'hex')}`;

/**
 * Checks a telephony delivery: signature over the raw bytes, compared in constant time, and a timestamp inside
 * the replay window. Returns the rejection to answer, or null when the delivery is genuine.
 */
export const checkPhoneSignature = (request: WebhookRequest, secret: string, windowSeconds: number, nowMs: number): Extract<WebhookResult, { type: 'rejected' }> | null => {
  const signature = headerValue(request.headers, phoneSignatureHeader);
  const stamp = headerValue(request.headers, phoneTimestampHeader);
  if (!signature) return { type: 'rejected', status: 401, reason: `missing ${phoneSignatureHeader} header` };
  if (!stamp || !/^\d{9,11}$/.test(stamp.trim())) return { type: 'rejected', status: 401, reason: `missing or malformed ${phoneTimestampHeader} header (unix seconds)` };
  const timestamp = Number(stamp.trim());
  const expected = signPhoneDelivery(secret, timestamp, request.rawBody);
  // Several signatures may be sent during a secret rotation: any one matching is enough.
  const isValid = signature.split(',').some((part) => safeEqual(part.trim().toLowerCase(), expected));
  if (!isValid) return { type: 'rejected', status: 401, reason: 'signature does not match the body' };
  if (Math.abs(nowMs / 1000 - timestamp) > windowSeconds) return { type: 'rejected', status: 401, reason: `timestamp outside the ${windowSeconds}s replay window` };
  return null;
};
