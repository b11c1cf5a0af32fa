import type { WebhookRequest, WebhookResult } from '../port.js';
import { headerValue, hmacSha256, verifySha256Signature } from '../shared/hmac.js';
import { parseJsonValue } from '../shared/json.js';
import { mapXAccountActivity } from './map-account-activity.js';
import type { XAccountActivityOptions } from './map-account-activity.js';

export interface XWebhookConfig extends XAccountActivityOptions {
  channelId: string;
  /** The app's consumer (API) secret: the CRC and signature key, not the bearer token. */
  consumerSecret: string;
  /** The subscribed account this channel serves; deliveries for other subscribed users are ignored. */
  accountId?: string | null;
}

export const xSignatureHeader = 'x-twitter-webhooks-signature';

/** The CRC answer X expects: `sha256=` + base64 HMAC-SHA256 of the crc_token keyed by the consumer secret. */
export function xCrcResponseToken(consumerSecret: string, crcToken: string): string {
  return `sha256=${hmacSha256(consumerSecret, crcToken, 'base64')}`;
}

/** Account Activity / X Activity webhook: answer CRC challenges, verify signed POSTs over the raw bytes, map events. */
export function handleXWebhook(request: WebhookRequest, config: XWebhookConfig): WebhookResult {
  if (request.method === 'GET') {
    const crcToken = request.query.crc_token;
    if (!crcToken) return { type: 'rejected', status: 400, reason: 'missing crc_token' };
    return {
      type: 'handshake',
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ response_token: xCrcResponseToken(config.consumerSecret, crcToken) }),
    };
  }
  const signature = headerValue(request.headers, xSignatureHeader);
  if (!signature) return { type: 'rejected', status: 401, reason: `missing ${xSignatureHeader}` };
  if (!verifySha256Signature(signature, config.consumerSecret, request.rawBody, 'base64')) {
    return { type: 'rejected', status: 401, reason: 'signature mismatch' };
  }
  const payload = parseJsonValue(request.rawBody);
  if (payload === null) return { type: 'rejected', status: 400, reason: 'body is not JSON' };
  const ownUserIds = [...(config.ownUserIds ?? []), ...(config.accountId ? [config.accountId] : [])];
  const result = mapXAccountActivity(payload, config.channelId, { ...config, ownUserIds });
  // One app webhook can serve several subscribed accounts; this channel takes only its own.
  if (config.accountId && result.forUserId && result.forUserId !== config.accountId) {
    return { type: 'events', envelopes: [], deletions: [] };
  }
  return { type: 'events', envelopes: result.envelopes, deletions: result.deletions };
}
