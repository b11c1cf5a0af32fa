import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { JobHandler } from '../jobs/definitions.js';
import type { Clock } from '../platform/clock.js';
import { createGuardedFetch, PrivateAddressRefused } from '../platform/guarded-http.js';
import { newId } from '../platform/ids.js';
import type { Logger } from '../platform/logger.js';
import { isPrivateAddress, type Resolver } from '../platform/ssrf.js';
import type { UnitOfWork } from '../repositories/index.js';

export interface WebhookDelivery {
  url: string;
  body: Record<string, unknown>;
  idempotencyKey: string;
  attempt: number;
}

declare module '../jobs/definitions.js' {
  interface JobPayloads {
    'rules.webhook': { deliveries: WebhookDelivery[] };
  }
}

export { isPrivateAddress };

export type Resolve = (host: string) => Promise<string[]>;
const resolveAll: Resolve = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

/**
 * Refuses a webhook URL that is not http(s) or points at a private or loopback address, checking every address
 * the name resolves to (so a public name cannot smuggle in 127.0.0.1). Returns a reason, or null when allowed.
 */
export const checkWebhookTarget = async (raw: string, options: { allowPrivate: boolean; resolve?: Resolve }): Promise<string | null> => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `protocol ${url.protocol} is not allowed`;
  if (url.username || url.password) return 'credentials in the URL are not allowed';
  if (options.allowPrivate) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback targets are not allowed';
  if (isIP(host)) return isPrivateAddress(host) ? `address ${host} is private or loopback` : null;
  let addresses: string[];
  try {
    addresses = await (options.resolve ?? resolveAll)(host);
  } catch {
    return `cannot resolve ${host}`;
  }
  const bad = addresses.find(isPrivateAddress);
  return bad ? `${host} resolves to private address ${bad}` : null;
};

const MAX_ATTEMPTS = 5;

export type WebhookOutcome = 'delivered' | 'refused' | 'failed' | 'retrying';

export interface WebhookDeps {
  uow: UnitOfWork;
  clock: Clock;
  logger: Logger;
  /** PARLEY_ALLOW_PRIVATE_URLS entries (names, addresses, CIDR ranges, `*`) the receiver may resolve to. */
  allow?: readonly string[];
  /** Shorthand for `allow: ['*']` (the app option allowPrivateWebhooks). */
  allowPrivate?: boolean;
  /** Defaults to a guarded fetch built from `allow`; app.ts passes the one it shares with feeds. */
  fetch?: typeof fetch;
  /** Replaces DNS for the default guarded fetch (tests). */
  resolve?: Resolver;
  timeoutMs?: number;
}

/**
 * POSTs one notification through the guarded dispatcher, which checks the receiver's addresses when it connects (not
 * only when the rule was saved): a name re-pointed at a private address (DNS rebinding) is refused and not retried.
 * Redirects are not followed. A 5xx, 429 or network failure is re-queued with backoff.
 */
export const createWebhookDeliverer = (deps: WebhookDeps): ((d: WebhookDelivery) => Promise<WebhookOutcome>) => {
  const doFetch = deps.fetch ?? createGuardedFetch({ allow: deps.allowPrivate ? ['*'] : (deps.allow ?? []), ...(deps.resolve ? { resolve: deps.resolve } : {}) });
  return async (d) => {
    let retry = false;
    let outcome: WebhookOutcome = 'failed';
    try {
      const res = await doFetch(d.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': d.idempotencyKey, 'user-agent': 'Parley-Rules/1' },
        body: JSON.stringify(d.body),
        redirect: 'error',
        signal: AbortSignal.timeout(deps.timeoutMs ?? 5000),
      });
      await res.body?.cancel();
      retry = res.status >= 500 || res.status === 429;
      if (res.ok) outcome = 'delivered';
      else deps.logger.warn({ url: d.url, status: res.status }, 'rule webhook answered with an error');
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause ?? error;
      if (cause instanceof PrivateAddressRefused || (error instanceof TypeError && /protocol|credentials/.test(error.message))) {
        deps.logger.warn({ url: d.url, reason: cause instanceof Error ? cause.message : String(cause) }, 'rule webhook refused');
        return 'refused';
      }
      retry = true;
      deps.logger.warn({ url: d.url, err: String(cause) }, 'rule webhook failed');
    }
    if (retry && d.attempt + 1 < MAX_ATTEMPTS) {
      const now = deps.clock.now();
      const next = { ...d, attempt: d.attempt + 1 };
      await deps.uow((tx) => tx.jobs.enqueue([{ id: newId(), type: 'rules.webhook', payload: JSON.stringify({ deliveries: [next] }), runAt: now + 2000 * 2 ** d.attempt }], now));
      return 'retrying';
    }
    return outcome;
  };
};

/**
 * Delivers rule notifications. The POST runs after the job's transaction commits, so a slow receiver never holds
 * the store; a failed attempt is re-queued with backoff. A crash between commit and POST loses that notification.
 */
export const createWebhookStage = (deps: WebhookDeps): JobHandler<'rules.webhook'> => {
  const deliver = createWebhookDeliverer(deps);
  return {
    type: 'rules.webhook',
    merge: (payloads) => ({ deliveries: payloads.flatMap((p) => p.deliveries) }),
    async handle({ deliveries }, ctx) {
      for (const d of deliveries) {
        ctx.afterCommit(() => {
          deliver(d).catch((error: unknown) => deps.logger.error({ err: String(error) }, 'rule webhook delivery crashed'));
        });
      }
    },
  };
};
