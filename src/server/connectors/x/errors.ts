import { ConnectorError } from '../port.js';
import { asArray, asRecord, asString } from '../shared/json.js';
import { parseRateLimitHeaders } from '../shared/rate-limit.js';
import type { HttpResponse } from '../shared/http.js';

/** X problem bodies: `{title, detail, type, status}` or `{errors:[{message|detail}]}`. */
function describe(body: unknown): string {
  const record = asRecord(body);
  const first = asRecord(asArray(record?.errors)[0]);
  return (
    asString(record?.detail) ??
    asString(first?.detail) ??
    asString(first?.message) ??
    asString(record?.title) ??
    asString(first?.title) ??
    'no detail'
  );
}

/** Map an X error response to a ConnectorError the outbox can act on (CONNECTORS.md §1.4, §1.7). */
export function xErrorFromResponse(response: HttpResponse, action: string, nowMs = Date.now()): ConnectorError {
  const detail = describe(response.json);
  const status = response.status;
  const code = `http_${status}`;
  if (status === 429 || status === 420) {
    const limits = parseRateLimitHeaders('x', response.headers, nowMs);
    // No reset header: X's own guidance is to back off from a minute.
    return new ConnectorError(`X rate limit reached while trying to ${action}: ${detail}`, true, limits.retryAfterMs || 60_000, code);
  }
  if (status >= 500) return new ConnectorError(`X is unavailable (${status}) while trying to ${action}: ${detail}`, true, null, code);
  if (status === 401) {
    return new ConnectorError(`X rejected the channel's credentials (401) while trying to ${action}; reauthorize the channel`, false, null, code);
  }
  if (status === 403) return new ConnectorError(`X refused to ${action} (403): ${detail}`, false, null, code);
  if (status === 404) return new ConnectorError(`X could not ${action}: the post or user no longer exists (404)`, false, null, code);
  return new ConnectorError(`X rejected the request to ${action} (${status}): ${detail}`, false, null, code);
}
