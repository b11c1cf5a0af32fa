import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { AppError } from '../platform/errors.js';
import { createPrivateAllowList, isPrivateAddress, type Resolver } from '../platform/ssrf.js';

/**
 * Which private targets an admin allows outgoing requests to reach (local development, tests, an on-premises
 * instance): host names, IP addresses and CIDR ranges; `*` allows every private target.
 */
export interface OutgoingUrlPolicy {
  /** Refuses a URL that reaches a private or local address not on the allow-list; `field` names it in the problem. */
  check(url: string, field: string): Promise<void>;
  /** Checks every URL (and mail host) in a channel's configuration before it is stored. */
  checkChannelConfig(config: Record<string, unknown>): Promise<void>;
}

const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

const urlPattern = /^(https?|wss?):\/\//i;
// Keys whose value is a bare host name an adapter connects to (IMAP and SMTP servers).
const hostKey = /(^|[a-z])host$/i;

/** Every string in the config that names an outgoing target, with the path that holds it. */
const targetsIn = (value: unknown, path: string, out: { path: string; value: string; isHost: boolean }[]): void => {
  if (typeof value === 'string') {
    // Allowed origins are who may call us (CORS), not where we send.
    if (/origin/i.test(path)) return;
    if (urlPattern.test(value)) out.push({ path, value, isHost: false });
    else if (hostKey.test(path.split('.').pop() ?? '') && value.trim()) out.push({ path, value: value.trim(), isHost: true });
  } else if (Array.isArray(value)) value.forEach((v, i) => targetsIn(v, `${path}.${i}`, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) targetsIn(v, path ? `${path}.${k}` : k, out);
};

export const parseAllowList = (raw: string | undefined | null): string[] => (raw ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);

export const createOutgoingUrlPolicy = (options: { allow: readonly string[]; resolve?: Resolver }): OutgoingUrlPolicy => {
  const allowList = createPrivateAllowList(options.allow);

  const checkHost = async (host: string, field: string, shown: string): Promise<void> => {
    if (allowList.allowsHost(host)) return;
    // A name that does not resolve now cannot reach anything; it is checked again when it is used.
    const addresses = isIP(host) ? [host] : (await (options.resolve ?? systemResolver)(host).catch(() => [])).map((a) => a.address);
    const bad = addresses.find((a) => isPrivateAddress(a) && !allowList.allowsAddress(a));
    if (bad) throw new AppError('validation_failed', `${shown} reaches a private or local address (${bad}); outgoing requests may only reach the public internet unless PARLEY_ALLOW_PRIVATE_URLS allows it`, field);
  };

  const check = async (url: string, field: string): Promise<void> => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new AppError('validation_failed', 'not a valid URL', field);
    }
    if (parsed.username || parsed.password) throw new AppError('validation_failed', 'URLs with credentials are not allowed; put credentials in the channel credentials', field);
    await checkHost(parsed.hostname.replace(/^\[|\]$/g, ''), field, parsed.hostname);
  };

  return {
    check,
    async checkChannelConfig(config) {
      // A simulated channel (the demo) makes no outgoing requests.
      if (config.simulated === true) return;
      const targets: { path: string; value: string; isHost: boolean }[] = [];
      targetsIn(config, '', targets);
      for (const t of targets) {
        if (t.isHost) await checkHost(t.value, `config.${t.path}`, t.value);
        else await check(t.value, `config.${t.path}`);
      }
    },
  };
};
