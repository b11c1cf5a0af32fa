import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import { createPrivateAllowList, isPrivateAddress, type Resolver } from './ssrf.js';

/** Thrown (as the cause of a failed fetch) when a connection would reach a private or local address. */
export class PrivateAddressRefused extends Error {
  readonly code = 'ERR_PRIVATE_ADDRESS';
  constructor(host: string, address: string) {
    super(`${host} reaches a private or local address (${address}); outgoing requests may only reach the public internet unless PARLEY_ALLOW_PRIVATE_URLS allows it`);
  }
}

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export interface GuardedHttpOptions {
  /** PARLEY_ALLOW_PRIVATE_URLS entries: names, addresses, CIDR ranges, or `*`. */
  allow: readonly string[];
  /** Replaces DNS (tests). */
  resolve?: Resolver;
  connectTimeoutMs?: number;
}

/**
 * An undici dispatcher that checks every address at connection time, after DNS answered: a name that resolved to a
 * public address when an admin saved it and to 127.0.0.1 now (DNS rebinding), and every hop of a redirect (each hop
 * connects through this dispatcher), are refused unless the allow-list permits them. The socket then connects to
 * exactly the addresses that were checked, so no second lookup can answer differently.
 */
export const createGuardedDispatcher = (options: GuardedHttpOptions): Agent => {
  const allowList = createPrivateAllowList(options.allow);
  const resolve = options.resolve ?? systemResolver;
  const refused = (address: string) => isPrivateAddress(address) && !allowList.allowsAddress(address);

  const lookup = (hostname: string, lookupOptions: { all?: boolean }, callback: LookupCallback): void => {
    resolve(hostname).then(
      (addresses) => {
        if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} does not resolve`), { code: 'ENOTFOUND' }), '');
        const bad = allowList.allowsHost(hostname) ? undefined : addresses.find((a) => refused(a.address));
        if (bad) return callback(new PrivateAddressRefused(hostname, bad.address), '');
        const first = addresses[0]!;
        if (lookupOptions.all) callback(null, addresses.map((a) => ({ address: a.address, family: a.family })));
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };

  const base = buildConnector({ lookup, ...(options.connectTimeoutMs ? { timeout: options.connectTimeoutMs } : {}) } as buildConnector.BuildOptions);
  return new Agent({
    connect: (connectOptions, callback) => {
      // net.connect skips lookup for an IP literal, so literals are checked here.
      const host = connectOptions.hostname.replace(/^\[|\]$/g, '');
      if (isIP(host) && !allowList.allowsHost(host) && refused(host)) {
        callback(new PrivateAddressRefused(host, host), null);
        return;
      }
      base(connectOptions, callback);
    },
  });
};

/**
 * A fetch for requests whose target a user controls (rule webhooks, RSS feeds): only http(s), no credentials in the
 * URL, and every connection through the guarded dispatcher.
 */
export const createGuardedFetch = (options: GuardedHttpOptions): typeof fetch => {
  const dispatcher = createGuardedDispatcher(options);
  const guarded = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (input instanceof Request) throw new TypeError('guarded fetch takes a URL, not a Request');
    const url = new URL(String(input));
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`fetch failed: protocol ${url.protocol} is not allowed`);
    if (url.username || url.password) throw new TypeError('fetch failed: credentials in the URL are not allowed');
    return (await undiciFetch(url, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher })) as unknown as Response;
  };
  return guarded as typeof fetch;
};
