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
export const createGuardedDispatcher = (options: GuardedHttpOptions, guard = createGuardedLookup(options)): Agent => {
  const { lookup, refusesLiteral } = guard;
  const base = buildConnector({ lookup, ...(options.connectTimeoutMs ? { timeout: options.connectTimeoutMs } : {}) } as buildConnector.BuildOptions);
  return new Agent({
    connect: (connectOptions, callback) => {
      // net.connect skips lookup for an IP literal, so literals are checked here.
      const host = connectOptions.hostname.replace(/^\[|\]$/g, '');
      if (refusesLiteral(host)) {
        callback(new PrivateAddressRefused(host, host), null);
        return;
      }
      base(connectOptions, callback);
    },
  });
};

/** The connect-time check itself: a dns.lookup replacement that refuses private answers, and the test for IP literals. */
const createGuardedLookup = (options: GuardedHttpOptions) => {
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
  const refusesLiteral = (host: string): boolean => isIP(host) !== 0 && !allowList.allowsHost(host) && refused(host);
  return { lookup, refusesLiteral };
};

/** Options for a `ws` WebSocket or node:http request that route its connection through the guard. */
export interface GuardedSocketOptions {
  lookup: typeof dnsLookup;
}

/** Outgoing HTTP to user-chosen hosts: a guarded fetch, the same check for WebSocket connections, and one close for both. */
export interface GuardedHttp {
  fetch: typeof fetch;
  /**
   * Options for a `ws` WebSocket (or node:http request) to `url`, whose connection then goes through the same check;
   * throws PrivateAddressRefused at once for an IP literal the allow-list refuses (no lookup happens for those).
   */
  socketOptions(url: string): GuardedSocketOptions;
  /** Closes the dispatcher's sockets; requests still running finish, later ones fail. */
  close(): Promise<void>;
  readonly closed: boolean;
}

export const createGuardedHttp = (options: GuardedHttpOptions): GuardedHttp => {
  // One allow-list and lookup serve both the fetch dispatcher and WebSocket connections.
  const guard = createGuardedLookup(options);
  const { lookup, refusesLiteral } = guard;
  const dispatcher = createGuardedDispatcher(options, guard);
  let closed = false;
  const guarded = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    // Libraries that build a Request (the AT Protocol client) are served too: its parts go through the guarded fetch.
    if (input instanceof Request) {
      const body = input.body ? await input.arrayBuffer() : null;
      return guarded(input.url, { method: input.method, headers: input.headers, body, signal: input.signal, redirect: input.redirect, ...init });
    }
    const url = new URL(String(input));
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`fetch failed: protocol ${url.protocol} is not allowed`);
    if (url.username || url.password) throw new TypeError('fetch failed: credentials in the URL are not allowed');
    return (await undiciFetch(url, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher })) as unknown as Response;
  };
  return {
    fetch: guarded as typeof fetch,
    socketOptions(url) {
      const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
      if (refusesLiteral(host)) throw new PrivateAddressRefused(host, host);
      return { lookup: lookup as unknown as typeof dnsLookup };
    },
    async close() {
      if (closed) return;
      closed = true;
      await dispatcher.close();
    },
    get closed() {
      return closed;
    },
  };
};

/** The guard's refusal behind a failed request: the error itself or somewhere down its causes (fetch, then a client's wrapper). */
export const privateAddressRefusalOf = (error: unknown): PrivateAddressRefused | null => {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) if (e instanceof PrivateAddressRefused) return e;
  return null;
};

/**
 * A fetch for requests whose target a user controls (rule webhooks, RSS feeds): only http(s), no credentials in the
 * URL, and every connection through the guarded dispatcher.
 */
export const createGuardedFetch = (options: GuardedHttpOptions): typeof fetch => createGuardedHttp(options).fetch;

let strictDefault: GuardedHttp | null = null;
/** For adapters built without the app's guard (a CLI check, a unit test): no private target at all. */
export const strictGuardedHttp = (): GuardedHttp => (strictDefault ??= createGuardedHttp({ allow: [] }));
