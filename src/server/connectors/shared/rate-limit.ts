import type { Platform } from '../../../shared/envelope.js';
import { asNumber, asRecord } from './json.js';

export interface RateLimitInfo {
  limit: number | null;
  remaining: number | null;
  /** When the window resets, epoch milliseconds. */
  resetAtMs: number | null;
  /** How long to wait before the next call, when the headers say so (0 when not exhausted). */
  retryAfterMs: number | null;
  /** Meta only: highest usage percentage across the usage headers (100 = throttled). */
  usagePercent?: number | null;
}

export type HeaderSource = Headers | Readonly<Record<string, string | string[] | undefined>>;

export function readHeader(headers: HeaderSource, name: string): string | null {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  const record = headers as Readonly<Record<string, string | string[] | undefined>>;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(record)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
  }
  return null;
}

const num = (headers: HeaderSource, name: string): number | null => asNumber(readHeader(headers, name));

/** Standard `Retry-After`: delay-seconds or an HTTP-date. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (!value) return null;
  const seconds = asNumber(value);
  if (seconds !== null) return Math.max(0, Math.round(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

function fromReset(limit: number | null, remaining: number | null, resetAtMs: number | null, nowMs: number): RateLimitInfo {
  const wait = resetAtMs === null ? null : Math.max(0, resetAtMs - nowMs);
  return { limit, remaining, resetAtMs, retryAfterMs: remaining !== null && remaining > 0 ? 0 : wait };
}

/** Meta usage headers: JSON percentages; the business-use-case header nests per-object arrays with minutes to regain access. */
function parseMetaUsage(headers: HeaderSource, nowMs: number): RateLimitInfo {
  let usage: number | null = null;
  let regainMinutes: number | null = null;
  const consider = (entry: unknown): void => {
    const record = asRecord(entry);
    if (!record) return;
    for (const key of ['call_count', 'total_cputime', 'total_time', 'acc_id_util_pct']) {
      const value = asNumber(record[key]);
      if (value !== null) usage = Math.max(usage ?? 0, value);
    }
    const minutes = asNumber(record.estimated_time_to_regain_access);
    if (minutes !== null) regainMinutes = Math.max(regainMinutes ?? 0, minutes);
  };
  for (const name of ['x-app-usage', 'x-page-usage', 'x-ad-account-usage', 'x-business-use-case-usage']) {
    const raw = readHeader(headers, name);
    if (!raw) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      continue;
    }
    consider(parsed);
    for (const value of Object.values(asRecord(parsed) ?? {})) for (const item of Array.isArray(value) ? value : [value]) consider(item);
  }
  const retryAfterMs = regainMinutes !== null && regainMinutes > 0 ? regainMinutes * 60_000 : usage !== null && usage >= 100 ? 60 * 60_000 : null;
  return {
    limit: null,
    remaining: null,
    resetAtMs: retryAfterMs === null ? null : nowMs + retryAfterMs,
    retryAfterMs: retryAfterMs ?? (usage !== null ? 0 : null),
    usagePercent: usage,
  };
}

/**
 * Read one platform's rate-limit headers (CONNECTORS.md §0.6). Each platform encodes the reset
 * differently: X and Bluesky epoch seconds, Reddit seconds-until, Mastodon ISO-8601, Meta usage JSON.
 * A standard `Retry-After` wins when present because it is the server's explicit instruction.
 */
export function parseRateLimitHeaders(platform: Platform, headers: HeaderSource, nowMs = Date.now()): RateLimitInfo {
  const retryAfter = parseRetryAfter(readHeader(headers, 'retry-after'), nowMs);
  let info: RateLimitInfo;
  switch (platform) {
    case 'x': {
      const reset = num(headers, 'x-rate-limit-reset');
      info = fromReset(num(headers, 'x-rate-limit-limit'), num(headers, 'x-rate-limit-remaining'), reset === null ? null : reset * 1000, nowMs);
      // The 24-hour app/user caps can be exhausted while the 15-minute window still has room.
      for (const prefix of ['x-app-limit-24hour', 'x-user-limit-24hour']) {
        const remaining = num(headers, `${prefix}-remaining`);
        const dayReset = num(headers, `${prefix}-reset`);
        if (remaining === 0 && dayReset !== null && dayReset * 1000 > (info.resetAtMs ?? 0)) {
          info = fromReset(num(headers, `${prefix}-limit`), 0, dayReset * 1000, nowMs);
        }
      }
      break;
    }
    case 'reddit': {
      const used = num(headers, 'x-ratelimit-used');
      const remaining = num(headers, 'x-ratelimit-remaining');
      const seconds = num(headers, 'x-ratelimit-reset');
      const limit = used !== null && remaining !== null ? Math.round(used + remaining) : null;
      info = fromReset(limit, remaining === null ? null : Math.floor(remaining), seconds === null ? null : nowMs + seconds * 1000, nowMs);
      break;
    }
    case 'mastodon': {
      const reset = readHeader(headers, 'x-ratelimit-reset');
      const resetAt = reset ? Date.parse(reset) : NaN;
      info = fromReset(num(headers, 'x-ratelimit-limit'), num(headers, 'x-ratelimit-remaining'), Number.isNaN(resetAt) ? null : resetAt, nowMs);
      break;
    }
    case 'bluesky': {
      const reset = num(headers, 'ratelimit-reset');
      let limit = num(headers, 'ratelimit-limit');
      // `ratelimit-policy: 3000;w=300` carries the limit when the limit header is absent.
      const policy = readHeader(headers, 'ratelimit-policy');
      if (limit === null && policy) limit = asNumber(policy.split(';')[0] ?? '');
      info = fromReset(limit, num(headers, 'ratelimit-remaining'), reset === null ? null : reset * 1000, nowMs);
      break;
    }
    case 'facebook':
    case 'instagram':
    case 'whatsapp':
      info = parseMetaUsage(headers, nowMs);
      break;
    default:
      info = { limit: null, remaining: null, resetAtMs: null, retryAfterMs: null };
  }
  return retryAfter === null ? info : { ...info, retryAfterMs: retryAfter, resetAtMs: nowMs + retryAfter };
}
