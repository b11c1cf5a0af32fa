import { privateAddressRefusalOf } from '../../platform/guarded-http.js';
import { ConnectorError } from '../port.js';
import { asArray, asRecord, asString } from '../shared/json.js';
import { parseRateLimitHeaders } from '../shared/rate-limit.js';
import { createRateLimitPacer } from '../shared/pacer.js';

export interface MastodonClient {
  get(path: string, params?: [string, string][], signal?: AbortSignal): Promise<{ body: unknown; headers: Headers }>;
  post(path: string, json: unknown, headers?: Record<string, string>): Promise<unknown>;
  /** A multipart POST (media upload); fetch sets the boundary. */
  postForm(path: string, form: FormData): Promise<unknown>;
}

/** Wait the headers ask for: Mastodon's `X-RateLimit-Reset` is an ISO-8601 timestamp (not seconds, not epoch). */
export function mastodonRetryAfterMs(headers: Headers, nowMs: number): number | null {
  const info = parseRateLimitHeaders('mastodon', headers, nowMs);
  return info.resetAtMs === null ? null : Math.max(0, info.resetAtMs - nowMs);
}

export function mastodonHttpError(status: number, headers: Headers, body: unknown, what: string, nowMs: number): ConnectorError {
  const detail = asString(asRecord(body)?.error) ?? `HTTP ${status}`;
  if (status === 429) return new ConnectorError(`Mastodon rate limit reached (${what})`, true, mastodonRetryAfterMs(headers, nowMs) ?? 300_000, 'http_429');
  if (status >= 500) return new ConnectorError(`Mastodon server error ${status} (${what})`, true, 30_000, `http_${status}`);
  if (status === 401) return new ConnectorError(`Mastodon rejected the access token (${what}): it was revoked or lacks a scope; reconnect the channel`, false, null, 'http_401');
  if (status === 404) return new ConnectorError(`Mastodon has no such status or account (${what}): it may have been deleted`, false, null, 'http_404');
  if (status === 422) return new ConnectorError(`Mastodon refused the status: ${detail}`, false, null, 'http_422');
  return new ConnectorError(`Mastodon answered ${status} (${what}): ${detail}`, false, null, `http_${status}`);
}

/** Thin fetch client for the Mastodon REST API with Bearer auth and the error mapping above. */
export function createMastodonClient(options: { baseUrl: string; accessToken: string; now?: () => number; fetch?: typeof fetch }): MastodonClient {
  const now = options.now ?? Date.now;
  const doFetch = options.fetch ?? fetch;
  const auth = { authorization: `Bearer ${options.accessToken}` };
  // Mastodon counts every call of the account against one window (300 per 5 minutes).
  const pacer = createRateLimitPacer('mastodon', now);

  async function call(url: string, init: RequestInit, what: string): Promise<Response> {
    pacer.check('account', what);
    let response: Response;
    try {
      response = await doFetch(url, init);
    } catch (error) {
      if (init.signal?.aborted) throw error;
      // The instance (or a redirect) reached a private address: retrying would only be refused again.
      const refused = privateAddressRefusalOf(error);
      if (refused) throw new ConnectorError(`Mastodon refused (${what}): ${refused.message}`, false, null, 'private_address');
      throw new ConnectorError(`Mastodon unreachable (${what}): ${error instanceof Error ? error.message : String(error)}`, true, 10_000, 'network');
    }
    if (response.ok) pacer.observe('account', response.headers);
    if (!response.ok) {
      const body = (await response.json().catch(() => null)) as unknown;
      throw mastodonHttpError(response.status, response.headers, body, what, now());
    }
    return response;
  }

  return {
    async get(path, params = [], signal) {
      const query = new URLSearchParams(params).toString();
      const response = await call(`${options.baseUrl}${path}${query ? `?${query}` : ''}`, { headers: auth, signal: signal ?? null }, path);
      return { body: (await response.json()) as unknown, headers: response.headers };
    },
    async post(path, json, headers = {}) {
      const response = await call(`${options.baseUrl}${path}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json', ...headers }, body: JSON.stringify(json) }, path);
      return (await response.json()) as unknown;
    },
    async postForm(path, form) {
      const response = await call(`${options.baseUrl}${path}`, { method: 'POST', headers: auth, body: form }, path);
      return (await response.json()) as unknown;
    },
  };
}

/** Mention notifications newer than `minId`, oldest first, following pages until a short page. */
export async function fetchMentionsSince(client: MastodonClient, minId: string | null, signal?: AbortSignal): Promise<unknown[]> {
  const out: unknown[] = [];
  let cursor = minId;
  // Bounded so a channel offline for weeks catches up over several polls instead of one huge request chain.
  for (let page = 0; page < 25; page++) {
    const params: [string, string][] = [['types[]', 'mention'], ['limit', '40']];
    // min_id gives the page just above the id; without one the newest page is the baseline.
    if (cursor) params.push(['min_id', cursor]);
    const { body } = await client.get('/api/v1/notifications', params, signal);
    const items = asArray(body);
    const ids = items.map((n) => asString(asRecord(n)?.id));
    const sorted = items.map((item, i) => ({ item, id: ids[i] ?? '' })).sort((a, b) => (a.id.length - b.id.length) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    out.push(...sorted.map((s) => s.item));
    const last = sorted[sorted.length - 1]?.id;
    if (!cursor || items.length < 40 || !last) break;
    cursor = last;
  }
  return out;
}
