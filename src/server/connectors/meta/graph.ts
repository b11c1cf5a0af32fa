import type { Platform } from '../../../shared/envelope.js';
import { ConnectorError } from '../port.js';
import { hmacSha256 } from '../shared/hmac.js';
import type { FetchLike, HttpResponse } from '../shared/http.js';
import { httpRequest } from '../shared/http.js';
import { parseRateLimitHeaders } from '../shared/rate-limit.js';
import { metaErrorFromResponse } from './errors.js';

export interface GraphClientConfig {
  platform: Platform;
  /** `https://graph.facebook.com` (or graph.instagram.com); a fake's URL in tests. */
  baseUrl: string;
  /** `v23.0`; Meta retires versions on a schedule, so it is configuration. */
  version: string;
  /** The token, or where to get the current one (Instagram-Login tokens are refreshed in place). */
  accessToken: string | (() => Promise<string>);
  /** When set, every call carries appsecret_proof (required when "Require App Secret" is on). */
  appSecret?: string | null;
  /** Stop calling once X-App-Usage style headers report this percentage, until the pause ends. */
  pauseAbovePercent?: number;
  pauseMs?: number;
  fetch?: FetchLike;
}

/** The Graph client of a channel, from its parsed settings (Facebook, Instagram, WhatsApp all read the same keys). */
export const graphClientForChannel = (
  platform: Platform,
  config: { graphBaseUrl: string; graphVersion: string; pauseAbovePercent: number },
  credentials: { accessToken: string; appSecret?: string | undefined; appSecretProof?: boolean },
  accessToken: GraphClientConfig['accessToken'] = credentials.accessToken,
): GraphClient =>
  createGraphClient({
    platform,
    baseUrl: config.graphBaseUrl,
    version: config.graphVersion,
    accessToken,
    appSecret: credentials.appSecretProof ? (credentials.appSecret ?? null) : null,
    pauseAbovePercent: config.pauseAbovePercent,
  });

export interface GraphClient {
  call(method: 'GET' | 'POST' | 'DELETE', path: string, action: string, body?: unknown): Promise<HttpResponse>;
  /** Highest usage percentage Meta last reported, for metrics. */
  lastUsagePercent(): number | null;
}

/** A thin Graph API client: bearer token, optional appsecret_proof, error mapping and usage-header pacing. */
export function createGraphClient(config: GraphClientConfig): GraphClient {
  const base = `${config.baseUrl.replace(/\/+$/, '')}/${config.version}`;
  const tokenOf = typeof config.accessToken === 'string' ? ((token: string) => () => Promise.resolve(token))(config.accessToken) : config.accessToken;
  const pauseAbove = config.pauseAbovePercent ?? 95;
  const pauseMs = config.pauseMs ?? 5 * 60_000;
  let usage: number | null = null;
  let pausedUntil = 0;
  return {
    lastUsagePercent: () => usage,
    async call(method, path, action, body) {
      const now = Date.now();
      if (now < pausedUntil) {
        // Meta throttles the whole app once usage hits 100%; stopping just short keeps other channels working.
        throw new ConnectorError(`paused: Meta reported ${usage}% API usage; trying to ${action} later`, true, pausedUntil - now, 'usage_pause');
      }
      const token = await tokenOf();
      const url = new URL(`${base}${path.startsWith('/') ? path : `/${path}`}`);
      if (config.appSecret) url.searchParams.set('appsecret_proof', hmacSha256(config.appSecret, token, 'hex'));
      const response = await httpRequest({ method, url: url.toString(), headers: { authorization: `Bearer ${token}` }, body }, config.fetch);
      const limits = parseRateLimitHeaders(config.platform, response.headers);
      if (limits.usagePercent !== undefined && limits.usagePercent !== null) {
        usage = limits.usagePercent;
        if (usage >= pauseAbove) pausedUntil = Date.now() + Math.max(pauseMs, limits.retryAfterMs ?? 0);
      }
      if (response.status < 200 || response.status >= 300 || (response.json as { error?: unknown } | null)?.error) {
        throw metaErrorFromResponse(config.platform, response, action);
      }
      return response;
    },
  };
}
