import { ConnectorError } from '../port.js';
import { asNumber, asRecord, asString } from '../shared/json.js';
import { parseRateLimitHeaders } from '../shared/rate-limit.js';

export interface RedditCredentials {
  clientId: string;
  clientSecret: string;
  /** Script app (password grant). */
  username?: string | null;
  password?: string | null;
  /** Web app with `duration=permanent` (refresh-token grant). */
  refreshToken?: string | null;
}

export interface RedditClientOptions {
  /** API origin, `https://oauth.reddit.com` in production. */
  apiBaseUrl: string;
  /** Token origin, `https://www.reddit.com` in production. */
  authBaseUrl: string;
  userAgent: string;
  credentials: RedditCredentials;
  now?: () => number;
}

export interface RedditRateLimit {
  used: number | null;
  remaining: number | null;
  resetAtMs: number | null;
}

export interface RedditClient {
  get(path: string, params?: Record<string, string>, signal?: AbortSignal): Promise<unknown>;
  postForm(path: string, form: Record<string, string>, signal?: AbortSignal): Promise<unknown>;
  rateLimit(): RedditRateLimit;
}

/** Wait the headers ask for: Reddit's `X-Ratelimit-Reset` is seconds until the window resets (not an epoch); `Retry-After` wins. */
export function redditRetryAfterMs(headers: Headers, nowMs = Date.now()): number | null {
  const info = parseRateLimitHeaders('reddit', headers, nowMs);
  return info.resetAtMs === null ? null : Math.max(0, Math.ceil(info.resetAtMs - nowMs));
}

/** Maps a failed HTTP response to a ConnectorError the outbox can act on. */
export function redditHttpError(status: number, headers: Headers, what: string): ConnectorError {
  if (status === 429) return new ConnectorError(`Reddit rate limit reached (${what})`, true, redditRetryAfterMs(headers) ?? 60_000, 'http_429');
  if (status >= 500) return new ConnectorError(`Reddit server error ${status} (${what})`, true, 30_000, `http_${status}`);
  if (status === 401) return new ConnectorError(`Reddit rejected the access token (${what}); reconnect the channel`, false, null, 'http_401');
  if (status === 403) return new ConnectorError(`Reddit refused access (${what}): the account lacks permission or the scope`, false, null, 'http_403');
  if (status === 404) return new ConnectorError(`Reddit has no such resource (${what})`, false, null, 'http_404');
  return new ConnectorError(`Reddit answered HTTP ${status} (${what})`, false, null, `http_${status}`);
}

function networkError(error: unknown, what: string): ConnectorError {
  const reason = error instanceof Error ? error.message : String(error);
  return new ConnectorError(`Reddit unreachable (${what}): ${reason}`, true, 10_000, 'network');
}

/** Thin fetch client: OAuth token with refresh-on-401, unique User-Agent, rate-limit bookkeeping. */
export function createRedditClient(options: RedditClientOptions): RedditClient {
  const now = options.now ?? Date.now;
  let token: { value: string; expiresAtMs: number } | null = null;
  let limit: RedditRateLimit = { used: null, remaining: null, resetAtMs: null };

  async function fetchToken(signal?: AbortSignal): Promise<string> {
    const { credentials } = options;
    const form = new URLSearchParams();
    if (credentials.refreshToken) {
      form.set('grant_type', 'refresh_token');
      form.set('refresh_token', credentials.refreshToken);
    } else if (credentials.username && credentials.password) {
      form.set('grant_type', 'password');
      form.set('username', credentials.username);
      form.set('password', credentials.password);
    } else {
      throw new ConnectorError('Reddit credentials need a refreshToken or a username and password', false, null, 'config');
    }
    const basic = Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64');
    let response: Response;
    try {
      response = await fetch(`${options.authBaseUrl}/api/v1/access_token`, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', 'user-agent': options.userAgent },
        body: form.toString(),
        signal: signal ?? null,
      });
    } catch (error) {
      throw networkError(error, 'token');
    }
    const body = asRecord(await response.json().catch(() => null));
    const accessToken = asString(body?.access_token);
    if (response.ok && accessToken) {
      const expiresIn = asNumber(body?.expires_in) ?? 3600;
      // Renew a minute early so a request never races the expiry.
      token = { value: accessToken, expiresAtMs: now() + Math.max(60, expiresIn - 60) * 1000 };
      return accessToken;
    }
    if (response.status === 429 || response.status >= 500) throw redditHttpError(response.status, response.headers, 'token');
    const reason = asString(body?.error) ?? `HTTP ${response.status}`;
    throw new ConnectorError(`Reddit refused the credentials (${reason}); check the client id, secret and password or refresh token`, false, null, 'auth');
  }

  async function accessToken(signal?: AbortSignal): Promise<string> {
    if (token && token.expiresAtMs > now()) return token.value;
    return fetchToken(signal);
  }

  function recordLimit(headers: Headers): void {
    const info = parseRateLimitHeaders('reddit', headers, now());
    if (info.remaining === null) return;
    limit = { used: asNumber(headers.get('x-ratelimit-used')), remaining: info.remaining, resetAtMs: info.resetAtMs };
  }

  async function request(method: 'GET' | 'POST', path: string, query: URLSearchParams | null, form: URLSearchParams | null, signal?: AbortSignal): Promise<unknown> {
    const url = `${options.apiBaseUrl}${path}${query && query.size > 0 ? `?${query.toString()}` : ''}`;
    // An exhausted window would only earn a 429 (and count against the client id): wait it out instead.
    if (limit.remaining === 0 && limit.resetAtMs !== null && limit.resetAtMs > now()) {
      throw new ConnectorError(`Reddit rate limit exhausted (${path})`, true, limit.resetAtMs - now(), 'ratelimit_exhausted');
    }
    for (let attempt = 0; ; attempt++) {
      const bearer = await accessToken(signal);
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: {
            authorization: `bearer ${bearer}`,
            'user-agent': options.userAgent,
            ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          },
          body: form ? form.toString() : null,
          signal: signal ?? null,
        });
      } catch (error) {
        throw networkError(error, path);
      }
      // A 429 already tells the caller when to come back; only successful answers set the pacing state.
      if (response.ok) recordLimit(response.headers);
      // An expired token gives 401: renew once and retry; a second 401 is a real refusal.
      if (response.status === 401 && attempt === 0) {
        token = null;
        await response.body?.cancel();
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw redditHttpError(response.status, response.headers, path);
      }
      return (await response.json()) as unknown;
    }
  }

  return {
    get: (path, params = {}, signal) => request('GET', path, new URLSearchParams(params), null, signal),
    postForm: (path, form, signal) => request('POST', path, null, new URLSearchParams(form), signal),
    rateLimit: () => limit,
  };
}
