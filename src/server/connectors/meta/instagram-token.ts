import { ConnectorError } from '../port.js';
import type { CredentialStore } from '../port.js';
import type { FetchLike } from '../shared/http.js';
import { httpRequest } from '../shared/http.js';
import { asCount, asRecord, asString } from '../shared/json.js';

export interface InstagramTokenOptions {
  /** graph.instagram.com (a fake's URL in tests): the refresh endpoint is unversioned. */
  baseUrl: string;
  accessToken: string;
  /** Epoch ms; null for tokens that do not expire (Page tokens): those are never refreshed. */
  expiresAt: number | null;
  /** Epoch ms the token was issued or last refreshed, when known. */
  issuedAt: number | null;
  store?: CredentialStore;
  fetch?: FetchLike;
  now?: () => number;
}

const day = 24 * 3_600_000;

/**
 * Instagram-Login tokens live 60 days and are refreshed with `GET /refresh_access_token?grant_type=ig_refresh_token`
 * (CONNECTORS.md §2.6). As Chatwoot does: refresh only a token that is still valid, at least a day old, and due to
 * expire within ten days; the new token and its expiry are stored (sealed) before use. A failed refresh keeps
 * using the current token while it lasts, so a passing outage does not break sending.
 */
export function createInstagramTokens(options: InstagramTokenOptions): { current(): Promise<string> } {
  const now = options.now ?? Date.now;
  let token = options.accessToken;
  let expiresAt = options.expiresAt;
  let issuedAt = options.issuedAt;
  let refreshing: Promise<string> | null = null;

  const due = (): boolean => expiresAt !== null && expiresAt > now() && expiresAt - now() <= 10 * day && (issuedAt === null || now() - issuedAt >= day);

  async function refresh(): Promise<string> {
    const url = new URL(`${options.baseUrl.replace(/\/+$/, '')}/refresh_access_token`);
    url.searchParams.set('grant_type', 'ig_refresh_token');
    url.searchParams.set('access_token', token);
    const response = await httpRequest({ method: 'GET', url: url.toString() }, options.fetch);
    const body = asRecord(response.json);
    const fresh = asString(body?.access_token);
    const expiresIn = asCount(body?.expires_in);
    if (response.status !== 200 || !fresh || expiresIn === null) {
      throw new ConnectorError(`Instagram did not refresh the access token (${response.status}); reconnect the account before it expires`, response.status >= 500, null, 'token_refresh');
    }
    const at = now();
    await options.store?.save({ accessToken: fresh, accessTokenExpiresAt: at + expiresIn * 1000, accessTokenIssuedAt: at });
    token = fresh;
    expiresAt = at + expiresIn * 1000;
    issuedAt = at;
    return token;
  }

  return {
    async current() {
      if (!due()) return token;
      refreshing ??= refresh()
        .catch(() => token)
        .finally(() => {
          refreshing = null;
        });
      return refreshing;
    },
  };
}
