import { ConnectorError } from '../port.js';
import type { CredentialStore } from '../port.js';
import type { FetchLike } from '../shared/http.js';
import { httpRequest } from '../shared/http.js';
import { asCount, asRecord, asString } from '../shared/json.js';

/** The user-context grant as stored (sealed) in the channel's credentials. */
export interface XUserGrant {
  accessToken: string | null;
  refreshToken: string | null;
  /** Epoch ms; null when unknown (a pasted token): then only a 401 triggers a refresh. */
  accessTokenExpiresAt: number | null;
}

export interface XUserTokenOptions {
  baseUrl: string;
  grant: XUserGrant;
  /** OAuth 2.0 client id; confidential clients also have a secret (sent as HTTP Basic). */
  clientId: string | null;
  clientSecret: string | null;
  store?: CredentialStore;
  /** Refresh this long before the stated expiry, so a call never leaves with a token about to lapse. */
  refreshSkewMs?: number;
  fetch?: FetchLike;
  now?: () => number;
}

export interface XUserTokens {
  /** A token valid for the next call: refreshed first when it is (nearly) expired. */
  current(): Promise<string | null>;
  /** The platform refused `rejected` (401): refresh now, unless someone already did. Null when it cannot refresh. */
  renewAfterRejection(rejected: string): Promise<string | null>;
}

const grantFrom = (stored: Record<string, unknown>): XUserGrant => ({
  accessToken: asString(stored.accessToken),
  refreshToken: asString(stored.refreshToken),
  accessTokenExpiresAt: typeof stored.accessTokenExpiresAt === 'number' ? stored.accessTokenExpiresAt : null,
});

/**
 * X OAuth 2.0 user-context tokens (CONNECTORS.md §1.1): access tokens live two hours; with `offline.access` a
 * refresh token (grant_type=refresh_token) mints a new pair. Refresh tokens rotate, so the new one is persisted
 * (sealed, through the channel's credential store) before the new access token is used. One refresh at a time.
 * Tokens never appear in errors or logs.
 */
export function createXUserTokens(options: XUserTokenOptions): XUserTokens {
  const now = options.now ?? Date.now;
  const skewMs = options.refreshSkewMs ?? 60_000;
  let grant = { ...options.grant };
  let refreshing: Promise<string> | null = null;

  const canRefresh = (): boolean => Boolean(grant.refreshToken && options.clientId);

  async function exchange(refreshToken: string): Promise<XUserGrant> {
    const headers: Record<string, string> = {};
    if (options.clientSecret) headers.authorization = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`;
    const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: options.clientId ?? '' });
    const response = await httpRequest({ method: 'POST', url: `${options.baseUrl.replace(/\/+$/, '')}/2/oauth2/token`, headers, body }, options.fetch);
    const json = asRecord(response.json);
    if (response.status >= 500 || response.status === 429) {
      throw new ConnectorError(`X could not refresh the channel's access token (${response.status}); will retry`, true, response.status === 429 ? 60_000 : null, `oauth_http_${response.status}`);
    }
    const accessToken = asString(json?.access_token);
    if (response.status !== 200 || !accessToken) {
      // invalid_grant: the refresh token was revoked, expired (6 months unused) or already rotated away.
      const reason = asString(json?.error_description) ?? asString(json?.error) ?? `HTTP ${response.status}`;
      throw new ConnectorError(`X refused to refresh the channel's access token (${reason}); reauthorize the channel`, false, null, 'oauth_refresh_refused');
    }
    const expiresIn = asCount(json?.expires_in);
    return { accessToken, refreshToken: asString(json?.refresh_token) ?? refreshToken, accessTokenExpiresAt: expiresIn === null ? null : now() + expiresIn * 1000 };
  }

  async function refresh(): Promise<string> {
    const used = grant.refreshToken as string;
    let next: XUserGrant;
    try {
      next = await exchange(used);
    } catch (error) {
      // Another process may have rotated the pair first: adopt what it stored instead of failing.
      const stored = options.store ? grantFrom(await options.store.load()) : null;
      if (stored?.refreshToken && stored.refreshToken !== used && stored.accessToken) {
        grant = stored;
        return stored.accessToken;
      }
      throw error;
    }
    // Persist before use: the old refresh token is now dead, and a crash must not lose the new one.
    await options.store?.save({ accessToken: next.accessToken, refreshToken: next.refreshToken, accessTokenExpiresAt: next.accessTokenExpiresAt });
    grant = next;
    return next.accessToken as string;
  }

  function refreshOnce(): Promise<string> {
    refreshing ??= refresh().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  return {
    async current() {
      if (refreshing) return refreshing;
      const expiring = grant.accessTokenExpiresAt !== null && grant.accessTokenExpiresAt - skewMs <= now();
      if ((expiring || !grant.accessToken) && canRefresh()) return refreshOnce();
      return grant.accessToken;
    },
    async renewAfterRejection(rejected) {
      if (refreshing) return refreshing;
      if (grant.accessToken && grant.accessToken !== rejected) return grant.accessToken;
      return canRefresh() ? refreshOnce() : null;
    },
  };
}
