import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { AppError } from './errors.js';

// Ranges an outgoing request must never reach unless an admin allows private targets: loopback, private,
// link-local (cloud metadata lives at 169.254.169.254), carrier-grade NAT, multicast, reserved and their IPv6 forms.
const blocked = new BlockList();
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['2001:db8::', 32], ['64:ff9b::', 96]] as const) blocked.addSubnet(net, prefix, 'ipv6');

/** True when the address is loopback, private, link-local or otherwise not on the public internet. */
export const isPrivateAddress = (address: string): boolean => {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    // IPv4-mapped IPv6 (::ffff:127.0.0.1) is the IPv4 address in disguise.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped?.[1]) return blocked.check(mapped[1], 'ipv4');
    return blocked.check(address, 'ipv6');
  }
  return true;
};

export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

/**
 * Refuses a URL for an outgoing request (webhooks, feeds) unless it is http(s) and every address its host resolves to
 * is public. Checking every address defeats a name that resolves to one public and one private address. Returns the
 * addresses so a caller can connect to a checked one (a second lookup could answer differently: DNS rebinding).
 */
export const assertPublicUrl = async (url: string, options: { allowPrivate?: boolean; resolve?: Resolver } = {}): Promise<{ url: URL; addresses: string[] }> => {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError('validation_failed', 'not a valid URL', 'url');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new AppError('validation_failed', 'only http and https URLs are allowed', 'url');
  if (parsed.username || parsed.password) throw new AppError('validation_failed', 'URLs with credentials are not allowed', 'url');
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await (options.resolve ?? systemResolver)(host).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0) throw new AppError('validation_failed', `${host} does not resolve`, 'url');
  if (!options.allowPrivate) {
    const bad = addresses.find(isPrivateAddress);
    if (bad) throw new AppError('validation_failed', `${host} resolves to a private or local address (${bad}); outgoing requests may only reach the public internet`, 'url');
  }
  return { url: parsed, addresses };
};

/**
 * The admin's allow-list for private targets (PARLEY_ALLOW_PRIVATE_URLS): host names, IP addresses and CIDR ranges;
 * `*` allows every private target.
 */
export interface PrivateAllowList {
  readonly all: boolean;
  /** True when the host name itself is listed (its addresses are then not checked). */
  allowsHost(host: string): boolean;
  /** True when the address is listed or inside a listed range. */
  allowsAddress(address: string): boolean;
}

export const createPrivateAllowList = (allow: readonly string[]): PrivateAllowList => {
  const all = allow.includes('*');
  const names = new Set<string>();
  const ranges = new BlockList();
  for (const entry of allow) {
    const [net, bits] = entry.split('/');
    const family = isIP(net ?? '');
    if (family && bits !== undefined) ranges.addSubnet(net!, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
    else if (family) ranges.addAddress(net!, family === 4 ? 'ipv4' : 'ipv6');
    else names.add(entry.toLowerCase());
  }
  return {
    all,
    allowsHost: (host) => all || names.has(host.toLowerCase()),
    allowsAddress: (address) => {
      if (all) return true;
      const family = isIP(address);
      return family !== 0 && ranges.check(address, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
};
