import { compileToRedditSearch } from '../listening/compile-reddit.js';
import { tryParseListeningQuery } from '../listening/parse.js';
import { ConnectorError } from '../port.js';
import type { AdapterFactory, ChannelAdapter } from '../port.js';
import { compileListeningFilter } from '../rss/listening-filter.js';
import { parseChannelSettings } from '../shared/channel-config.js';
import { asRecord, asString } from '../shared/json.js';
import { createRedditClient } from './client.js';
import { pollReddit } from './poll.js';
import type { RedditSource } from './poll.js';
import { sendReddit } from './send.js';
import { redditConfigSchema, redditCredentialsSchema } from './settings.js';

export { mapRedditThing, isRedditThingDeleted } from './map.js';

/**
 * Config: `subreddits` (string[], read as listening sources), `listeningQueries` (string[]: Reddit-wide post search,
 * and a filter on the subreddit comments), `includeInbox` (default true: mentions, replies, PMs),
 * `apiBaseUrl`, `authBaseUrl`, `webBaseUrl`, `userAgent`.
 * Credentials: `clientId`, `clientSecret`, and either `username` + `password` (script app) or `refreshToken`.
 */
export const createRedditAdapter: AdapterFactory = (channel): ChannelAdapter => {
  const config = parseChannelSettings(redditConfigSchema, channel.config, 'reddit config');
  const credentials = parseChannelSettings(redditCredentialsSchema, channel.credentials, 'reddit credentials');
  const username = credentials.username ?? null;
  const webBaseUrl = config.webBaseUrl.replace(/\/$/, '');
  const client = createRedditClient({
    apiBaseUrl: config.apiBaseUrl.replace(/\/$/, ''),
    authBaseUrl: config.authBaseUrl.replace(/\/$/, ''),
    userAgent: config.userAgent ?? `server:parley:0.1.0 (by /u/${username ?? 'parley'})`,
    credentials,
  });
  let sources: RedditSource[] | null = null;
  // Built on first use: a bad listening query then fails the poll with a readable permanent error.
  function listSources(): RedditSource[] {
    if (sources) return sources;
    const queries = config.listeningQueries;
    const filter = compileListeningFilter(queries);
    const searches = queries.map((query) => {
      const parsed = tryParseListeningQuery(query);
      if (!parsed.ok) throw new ConnectorError(`Listening query "${query}" is invalid: ${parsed.message}`, false, null, 'listening_query');
      return compileToRedditSearch(parsed.ast).q;
    });
    sources = [
      ...(config.includeInbox ? [{ path: '/message/inbox', listening: false }] : []),
      ...config.subreddits.map((sub) => ({ path: `/r/${encodeURIComponent(sub.replace(/^\/?r\//, ''))}/comments`, listening: true, filter })),
      // Search covers posts only; Reddit stems and widens, so results are re-checked with the exact matcher.
      ...searches.map((q) => ({ path: '/search', params: { q, sort: 'new', type: 'link' }, listening: true, filter })),
    ];
    return sources;
  }
  const ownAccountIds = [...channel.ownAccountIds, ...(username ? [username] : [])];

  return {
    platform: 'reddit',
    channelId: channel.id,
    poll: async (cursor, signal) => pollReddit(client, listSources(), channel.id, cursor, { ownAccountIds, webBaseUrl }, signal),
    send: (message) => sendReddit(client, message, webBaseUrl),
    async test() {
      try {
        const me = asRecord(await client.get('/api/v1/me'));
        return { ok: true, detail: `signed in as u/${asString(me?.name) ?? 'unknown'}` };
      } catch (error) {
        return { ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
    },
  };
};
