import { ConnectorError } from '../port.js';
import type { FetchLike, HttpResponse } from '../shared/http.js';
import { httpRequest } from '../shared/http.js';
import { xErrorFromResponse } from './errors.js';
import { createRateLimitPacer } from '../shared/pacer.js';
import type { XUserTokens } from './oauth2.js';

export interface XClientConfig {
  /** `https://api.x.com` in production; a fake's `http://127.0.0.1:PORT` in tests. */
  baseUrl: string;
  /** App-only bearer: stream and rules. */
  bearerToken?: string | null;
  /** OAuth 2.0 user-context access token: posting and DMs. */
  userAccessToken?: string | null;
  /** Refreshing user tokens; when given, it supplies the user token and a 401 refreshes it once. */
  userTokens?: XUserTokens;
  fetch?: FetchLike;
  timeoutMs?: number;
}

export interface XClient {
  readonly baseUrl: string;
  /** Call `/2/...`; non-2xx statuses throw a ConnectorError describing `action`. */
  call(auth: 'app' | 'user', method: 'GET' | 'POST' | 'DELETE', path: string, action: string, body?: unknown): Promise<HttpResponse>;
}

/** A thin fetch client for the handful of X v2 endpoints Parley uses, with a configurable base URL. */
export function createXClient(config: XClientConfig): XClient {
  const baseUrl = config.baseUrl.replace(/\/+$/, '');
  const pacer = createRateLimitPacer('x');
  // X limits each endpoint per window (and per app or user): ids in the path do not make a new window.
  const bucketOf = (auth: string, method: string, path: string): string => `${auth} ${method} ${path.split('?')[0]!.replace(/\/\d[\w-]*/g, '/:id')}`;
  return {
    baseUrl,
    async call(auth, method, path, action, body) {
      const user = auth === 'user' ? config.userTokens : undefined;
      const token = auth === 'app' ? config.bearerToken : user ? await user.current() : config.userAccessToken;
      if (!token) {
        throw new ConnectorError(`cannot ${action}: the channel has no ${auth === 'app' ? 'app bearer token' : 'user access token'}`, false, null, 'missing_credentials');
      }
      const bucket = bucketOf(auth, method, path);
      pacer.check(bucket, action);
      const send = async (bearer: string) => {
        const response = await httpRequest({ method, url: `${baseUrl}${path}`, headers: { authorization: `Bearer ${bearer}` }, body, timeoutMs: config.timeoutMs }, config.fetch);
        // A 429 already carries its retry-after to the caller; pacing learns from calls that went through.
        if (response.status >= 200 && response.status < 300) pacer.observe(bucket, response.headers);
        return response;
      };
      let response = await send(token);
      // An access token can lapse before its stated expiry (revoked, clock skew): refresh once and retry.
      if (response.status === 401 && user) {
        const renewed = await user.renewAfterRejection(token);
        if (renewed) response = await send(renewed);
      }
      if (response.status < 200 || response.status >= 300) throw xErrorFromResponse(response, action);
      return response;
    },
  };
}
