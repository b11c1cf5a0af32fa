import { describe, expect, it } from 'vitest';
import { parseRateLimitHeaders, parseRetryAfter } from './rate-limit.js';

const now = Date.parse('2026-11-23T12:00:00.000Z');
const nowSeconds = now / 1000;

describe('parseRateLimitHeaders', () => {
  it('reads X epoch-second resets and the 24-hour caps', () => {
    expect(parseRateLimitHeaders('x', { 'x-rate-limit-limit': '300', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(nowSeconds + 90) }, now)).toEqual({
      limit: 300,
      remaining: 0,
      resetAtMs: now + 90_000,
      retryAfterMs: 90_000,
    });
    const day = parseRateLimitHeaders('x', new Headers({ 'x-rate-limit-remaining': '5', 'x-rate-limit-reset': String(nowSeconds + 60), 'x-app-limit-24hour-remaining': '0', 'x-app-limit-24hour-reset': String(nowSeconds + 3600) }), now);
    expect(day.retryAfterMs).toBe(3_600_000);
  });

  it('reads Reddit seconds-until and its used+remaining limit', () => {
    expect(parseRateLimitHeaders('reddit', { 'X-Ratelimit-Used': '100', 'X-Ratelimit-Remaining': '0.0', 'X-Ratelimit-Reset': '42' }, now)).toEqual({ limit: 100, remaining: 0, resetAtMs: now + 42_000, retryAfterMs: 42_000 });
  });

  it('reads Mastodon ISO-8601 resets', () => {
    const info = parseRateLimitHeaders('mastodon', { 'X-RateLimit-Limit': '300', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '2026-11-23T12:05:00.000Z' }, now);
    expect(info).toEqual({ limit: 300, remaining: 0, resetAtMs: now + 300_000, retryAfterMs: 300_000 });
  });

  it('reads Bluesky epoch resets and takes the limit from the policy when absent', () => {
    const info = parseRateLimitHeaders('bluesky', { 'ratelimit-remaining': '0', 'ratelimit-reset': String(nowSeconds + 30), 'ratelimit-policy': '3000;w=300' }, now);
    expect(info).toEqual({ limit: 3000, remaining: 0, resetAtMs: now + 30_000, retryAfterMs: 30_000 });
  });

  it('reads Meta usage JSON and the business-use-case regain time', () => {
    const app = parseRateLimitHeaders('facebook', { 'x-app-usage': '{"call_count":28,"total_time":25,"total_cputime":97}' }, now);
    expect(app).toMatchObject({ usagePercent: 97, retryAfterMs: 0 });
    const buc = parseRateLimitHeaders('instagram', { 'x-business-use-case-usage': '{"123":[{"type":"instagram","call_count":100,"total_cputime":5,"total_time":5,"estimated_time_to_regain_access":7}]}' }, now);
    expect(buc).toMatchObject({ usagePercent: 100, retryAfterMs: 420_000, resetAtMs: now + 420_000 });
    expect(parseRateLimitHeaders('whatsapp', { 'x-app-usage': 'not json' }, now).retryAfterMs).toBeNull();
  });

  it('lets a standard Retry-After win and remaining > 0 mean no wait', () => {
    expect(parseRateLimitHeaders('mastodon', { 'retry-after': '12', 'x-ratelimit-remaining': '0' }, now).retryAfterMs).toBe(12_000);
    expect(parseRateLimitHeaders('x', { 'x-rate-limit-remaining': '3', 'x-rate-limit-reset': String(nowSeconds + 60) }, now).retryAfterMs).toBe(0);
    expect(parseRetryAfter('Mon, 23 Nov 2026 12:01:00 GMT', now)).toBe(60_000);
    expect(parseRateLimitHeaders('rss', {}, now)).toEqual({ limit: null, remaining: null, resetAtMs: null, retryAfterMs: null });
  });
});
