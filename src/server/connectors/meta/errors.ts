import { ConnectorError } from '../port.js';
import type { HttpResponse } from '../shared/http.js';
import { asNumber, asRecord, asString } from '../shared/json.js';
import { parseRateLimitHeaders } from '../shared/rate-limit.js';
import type { Platform } from '../../../shared/envelope.js';

/** Graph error codes that mean "slow down": app, user, page and business-use-case throttling. */
const rateLimitCodes = new Set([4, 17, 32, 613, 80001, 80002, 80003, 80004, 80005, 80006, 80007, 80008, 80009, 80014, 130429, 131056]);

/** When throttled without a usage hint, wait this long before the outbox retries. */
const defaultThrottleMs = 5 * 60_000;

/** Map a Graph API error body (`{error:{message,type,code,error_subcode,is_transient}}`) to a ConnectorError. */
export function metaErrorFromResponse(platform: Platform, response: HttpResponse, action: string, nowMs = Date.now()): ConnectorError {
  const error = asRecord(asRecord(response.json)?.error);
  const code = asNumber(error?.code);
  const subcode = asNumber(error?.error_subcode);
  const graphMessage = asString(error?.message) ?? `HTTP ${response.status}`;
  const platformCode = code === null ? `http_${response.status}` : subcode === null ? String(code) : `${code}/${subcode}`;
  const name = platform === 'instagram' ? 'Instagram' : platform === 'whatsapp' ? 'WhatsApp' : 'Facebook';
  if ((code !== null && rateLimitCodes.has(code)) || response.status === 429) {
    const hint = parseRateLimitHeaders(platform, response.headers, nowMs).retryAfterMs;
    return new ConnectorError(`${name} rate limit reached while trying to ${action}: ${graphMessage}`, true, hint || defaultThrottleMs, platformCode);
  }
  if (code === 190 || code === 102 || response.status === 401) {
    return new ConnectorError(`${name} rejected the access token (${platformCode}) while trying to ${action}; reauthorize the channel`, false, null, platformCode);
  }
  // 131047: WhatsApp re-engagement, more than 24 h since the customer last wrote.
  if ((code === 10 && subcode === 2018278) || code === 131047) {
    return new ConnectorError(`${name} refused to ${action}: the message is outside the allowed messaging window`, false, null, platformCode);
  }
  if (code === 551) return new ConnectorError(`${name} could not ${action}: this person isn't available right now (551)`, false, null, platformCode);
  if (error?.is_transient === true || code === 1 || code === 2 || response.status >= 500) {
    return new ConnectorError(`${name} had a temporary problem while trying to ${action}: ${graphMessage}`, true, null, platformCode);
  }
  return new ConnectorError(`${name} refused to ${action} (${platformCode}): ${graphMessage}`, false, null, platformCode);
}
