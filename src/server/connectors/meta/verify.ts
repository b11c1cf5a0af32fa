import type { WebhookRequest, WebhookResult } from '../port.js';
import { headerValue, safeEqual, verifySha256Signature } from '../shared/hmac.js';

export const metaSignatureHeader = 'x-hub-signature-256';

/**
 * The GET subscription handshake shared by Facebook, Instagram and WhatsApp: echo `hub.challenge`
 * as plain text when the mode is `subscribe` and the verify token matches; otherwise 403.
 */
export function answerMetaHandshake(request: WebhookRequest, verifyToken: string | undefined): WebhookResult {
  const mode = request.query['hub.mode'];
  const token = request.query['hub.verify_token'];
  const challenge = request.query['hub.challenge'];
  if (mode !== 'subscribe' || !verifyToken || !token || !challenge || !safeEqual(token, verifyToken)) {
    return { type: 'rejected', status: 403, reason: 'verify token mismatch' };
  }
  return { type: 'handshake', status: 200, contentType: 'text/plain', body: challenge };
}

/** `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`; null when valid, else the rejection. */
export function checkMetaSignature(request: WebhookRequest, appSecret: string | undefined): WebhookResult | null {
  if (!appSecret) return { type: 'rejected', status: 403, reason: 'webhooks are not configured for this channel' };
  const signature = headerValue(request.headers, metaSignatureHeader);
  if (!signature) return { type: 'rejected', status: 401, reason: `missing ${metaSignatureHeader}` };
  if (!verifySha256Signature(signature, appSecret, request.rawBody, 'hex')) return { type: 'rejected', status: 401, reason: 'signature mismatch' };
  return null;
}
