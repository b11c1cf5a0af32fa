import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { JobHandler } from '../jobs/definitions.js';
import type { Clock } from '../platform/clock.js';
import { newId } from '../platform/ids.js';
import type { Logger } from '../platform/logger.js';
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

// Loopback, private, link-local (cloud metadata), carrier-grade NAT, benchmarking, multicast and reserved ranges.
const blocked = new BlockList();
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) blocked.addSubnet(net, prefix, 'ipv6');

/** True for addresses a rule must not reach: loopback, private networks, link-local and the like. */
export const isPrivateAddress = (address: string): boolean => {
  const bare = address.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return blocked.check(mapped[1] as string, 'ipv4');
  const family = isIP(bare);
  if (family === 4) return blocked.check(bare, 'ipv4');
  if (family === 6) return blocked.check(bare, 'ipv6');
  return false;
};

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

/**
 * Delivers rule notifications. The POST runs after the job's transaction commits, so a slow receiver never holds
 * the store; a failed attempt is re-queued with backoff. A crash between commit and POST loses that notification.
 */
export const createWebhookStage = (deps: { uow: UnitOfWork; clock: Clock; logger: Logger; allowPrivate: boolean; fetch?: typeof fetch; resolve?: Resolve; timeoutMs?: number }): JobHandler<'rules.webhook'> => {
  const doFetch = deps.fetch ?? fetch;
  const deliver = async (d: WebhookDelivery): Promise<void> => {
    const refused = await checkWebhookTarget(d.url, { allowPrivate: deps.allowPrivate, ...(deps.resolve ? { resolve: deps.resolve } : {}) });
    if (refused) {
      deps.logger.warn({ url: d.url, reason: refused }, 'rule webhook refused');
      return;
    }
    let retry = false;
    try {
      const res = await doFetch(d.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': d.idempotencyKey, 'user-agent': 'Parley-Rules/1' },
        body: JSON.stringify(d.body),
        redirect: 'error',
        signal: AbortSignal.timeout(deps.timeoutMs ?? 5000),
      });
      retry = res.status >= 500 || res.status === 429;
      if (!res.ok) deps.logger.warn({ url: d.url, status: res.status }, 'rule webhook answered with an error');
    } catch (error) {
      retry = true;
      deps.logger.warn({ url: d.url, err: String(error) }, 'rule webhook failed');
    }
    if (retry && d.attempt + 1 < MAX_ATTEMPTS) {
      const now = deps.clock.now();
      const next = { ...d, attempt: d.attempt + 1 };
      await deps.uow((tx) => tx.jobs.enqueue([{ id: newId(), type: 'rules.webhook', payload: JSON.stringify({ deliveries: [next] }), runAt: now + 2000 * 2 ** d.attempt }], now));
    }
  };
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
