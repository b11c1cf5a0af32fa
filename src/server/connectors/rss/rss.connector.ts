import type { Envelope } from '../../../shared/envelope.js';
import { createGuardedFetch, PrivateAddressRefused } from '../../platform/guarded-http.js';
import { ConnectorError } from '../port.js';
import type { AdapterFactory, ChannelAdapter, Cursor, PollResult } from '../port.js';
import { parseChannelSettings } from '../shared/channel-config.js';
import { asRecord, asString } from '../shared/json.js';
import { compileListeningFilter } from './listening-filter.js';
import type { ListeningFilter } from './listening-filter.js';
import { feedItemKey, feedItemVersion, mapRssItem, parseFeed } from './map.js';
import { rssConfigSchema } from './settings.js';

export { mapRssItem, parseFeed, feedItemKey } from './map.js';

interface FeedState {
  etag: string | null;
  lastModified: string | null;
  /** item key → version fingerprint, oldest first. */
  seen: Record<string, string>;
}

const seenCap = 1000;

export function parseRssCursor(cursor: Cursor): Record<string, FeedState> {
  let value: unknown = null;
  try {
    value = cursor ? (JSON.parse(cursor) as unknown) : null;
  } catch {
    value = null;
  }
  const feeds = asRecord(asRecord(value)?.feeds) ?? {};
  return Object.fromEntries(
    Object.entries(feeds).map(([url, raw]) => {
      const s = asRecord(raw);
      const seen = Object.fromEntries(Object.entries(asRecord(s?.seen) ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
      return [url, { etag: asString(s?.etag), lastModified: asString(s?.lastModified), seen }];
    }),
  );
}

function feedError(url: string, status: number, headers: Headers): ConnectorError {
  if (status === 429 || status === 503) {
    const retryAfter = Number(headers.get('retry-after'));
    const ms = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : Date.parse(headers.get('retry-after') ?? '') - Date.now();
    return new ConnectorError(`Feed ${url} asks us to slow down (HTTP ${status})`, true, Number.isFinite(ms) && ms > 0 ? ms : 300_000, `http_${status}`);
  }
  if (status >= 500) return new ConnectorError(`Feed ${url} failed with HTTP ${status}`, true, 300_000, `http_${status}`);
  if (status === 404 || status === 410) return new ConnectorError(`Feed ${url} is gone (HTTP ${status}): update or remove the source`, false, null, `http_${status}`);
  return new ConnectorError(`Feed ${url} answered HTTP ${status}`, false, null, `http_${status}`);
}

async function pollFeed(doFetch: typeof fetch, url: string, state: FeedState, channelId: string, userAgent: string, matches: ListeningFilter | null, signal?: AbortSignal): Promise<Envelope[]> {
  const headers: Record<string, string> = { 'user-agent': userAgent, accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5' };
  // Conditional GET: most feeds answer 304 with no body when nothing changed.
  if (state.etag) headers['if-none-match'] = state.etag;
  if (state.lastModified) headers['if-modified-since'] = state.lastModified;
  let response: Response;
  try {
    response = await doFetch(url, { headers, signal: signal ?? null });
  } catch (error) {
    if (signal?.aborted) throw error;
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof PrivateAddressRefused) throw new ConnectorError(`Feed ${url} refused: ${cause.message}`, false, null, 'private_address');
    throw new ConnectorError(`Feed ${url} unreachable: ${error instanceof Error ? error.message : String(error)}`, true, 300_000, 'network');
  }
  if (response.status === 304) return [];
  if (!response.ok) {
    await response.body?.cancel();
    throw feedError(url, response.status, response.headers);
  }
  let feed: Awaited<ReturnType<typeof parseFeed>>;
  try {
    feed = await parseFeed(await response.text());
  } catch (error) {
    throw new ConnectorError(`Feed ${url} is not valid RSS or Atom: ${error instanceof Error ? error.message : String(error)}`, false, null, 'parse');
  }
  state.etag = response.headers.get('etag');
  state.lastModified = response.headers.get('last-modified');
  const nowIso = new Date().toISOString();
  const out: Envelope[] = [];
  // Feeds list newest first; deliver oldest first.
  const items = [...feed.items].sort((a, b) => Date.parse(a.isoDate ?? a.pubDate ?? '') - Date.parse(b.isoDate ?? b.pubDate ?? '') || 0);
  for (const item of items) {
    const key = feedItemKey(item);
    const version = feedItemVersion(item);
    const previous = state.seen[key];
    if (previous === version) continue;
    delete state.seen[key];
    state.seen[key] = version;
    const envelope = mapRssItem(item, channelId, { url, title: feed.title }, { editedAt: previous === undefined ? null : (item.updated ?? nowIso), nowIso });
    if (envelope && (matches === null || matches({ text: envelope.text, language: null, authorHandle: envelope.author.handle ?? null }))) out.push(envelope);
  }
  const keys = Object.keys(state.seen);
  for (const key of keys.slice(0, Math.max(0, keys.length - seenCap))) delete state.seen[key];
  return out;
}

/**
 * Config: `feeds` (string[] of RSS/Atom URLs), optional `listeningQueries` (string[], listening syntax) and `keywords`
 * (string[]): when either is set, only matching items are kept. `userAgent`.
 * Credentials: none. Read-only: `send` always fails permanently.
 */
export const createRssAdapter: AdapterFactory = (channel, context): ChannelAdapter => {
  const config = parseChannelSettings(rssConfigSchema, channel.config, 'rss config');
  // Feed URLs are user-chosen: every connection (and redirect hop) is checked; alone, no private target is allowed.
  const doFetch = context?.fetch ?? createGuardedFetch({ allow: [] });
  const { feeds, userAgent } = config;

  return {
    platform: 'rss',
    channelId: channel.id,
    async poll(cursor, signal): Promise<PollResult> {
      const matches = compileListeningFilter(config.listeningQueries, config.keywords);
      const state = parseRssCursor(cursor);
      const envelopes: Envelope[] = [];
      for (const url of feeds) {
        state[url] ??= { etag: null, lastModified: null, seen: {} };
        envelopes.push(...(await pollFeed(doFetch, url, state[url], channel.id, userAgent, matches, signal)));
      }
      // Feeds dropped from the config drop out of the cursor too.
      const kept = Object.fromEntries(feeds.map((url) => [url, state[url]]));
      return { envelopes, deletions: [], cursor: JSON.stringify({ v: 1, feeds: kept }) };
    },
    async send(message) {
      const target = message.inReplyToExternalId && /^https?:\/\//.test(message.inReplyToExternalId) ? ` at ${message.inReplyToExternalId}` : '';
      throw new ConnectorError(`RSS/Atom sources are read-only: reply on the site itself${target} (open the item's link)`, false, null, 'read_only');
    },
    async test() {
      try {
        for (const url of feeds) await pollFeed(doFetch, url, { etag: null, lastModified: null, seen: {} }, channel.id, userAgent, null);
        return { ok: true, detail: `${feeds.length} feed(s) readable` };
      } catch (error) {
        return { ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
    },
  };
};
