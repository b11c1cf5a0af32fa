import type { Platform } from '../../../shared/envelope.js';
import { ConnectorError } from '../port.js';
import type { HeaderSource } from './rate-limit.js';
import { parseRateLimitHeaders } from './rate-limit.js';

export interface RateLimitPacer {
  /** Refuse (retryable, with the wait) a call whose window the platform already reported as used up. */
  check(bucket: string, action: string): void;
  /** Remember what a response's rate-limit headers say about its window. */
  observe(bucket: string, headers: HeaderSource): void;
}

/**
 * Paces calls by the platform's own rate-limit headers: once a response says a window has no calls left, later
 * calls in that window fail fast as retryable with the reset as retry-after, instead of spending a request on a
 * certain 429 (which some platforms count against the app). Buckets are per endpoint, as the limits are.
 */
export function createRateLimitPacer(platform: Platform, now: () => number = Date.now): RateLimitPacer {
  const exhaustedUntil = new Map<string, number>();
  const name = platform === 'x' ? 'X' : platform[0]!.toUpperCase() + platform.slice(1);
  return {
    check(bucket, action) {
      const until = exhaustedUntil.get(bucket);
      if (until === undefined) return;
      const wait = until - now();
      if (wait <= 0) {
        exhaustedUntil.delete(bucket);
        return;
      }
      throw new ConnectorError(`${name} rate limit used up (${action}); retrying in ${Math.ceil(wait / 1000)} s when the window resets`, true, wait, 'rate_limit_paced');
    },
    observe(bucket, headers) {
      const info = parseRateLimitHeaders(platform, headers, now());
      if (info.remaining === 0 && info.resetAtMs !== null && info.resetAtMs > now()) exhaustedUntil.set(bucket, info.resetAtMs);
      else if (info.remaining !== null && info.remaining > 0) exhaustedUntil.delete(bucket);
    },
  };
}
