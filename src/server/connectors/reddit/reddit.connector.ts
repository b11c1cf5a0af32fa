import type { AdapterFactory, ChannelAdapter } from '../port.js';
import { asArray, asRecord, asString } from '../shared/json.js';
import { createRedditClient } from './client.js';
import { pollReddit } from './poll.js';
import type { RedditSource } from './poll.js';
import { sendReddit } from './send.js';

export { mapRedditThing, isRedditThingDeleted } from './map.js';

/**
 * Config: `subreddits` (string[], read as listening sources), `includeInbox` (default true: mentions, replies, PMs),
 * `apiBaseUrl`, `authBaseUrl`, `webBaseUrl`, `userAgent`.
 * Credentials: `clientId`, `clientSecret`, and either `username` + `password` (script app) or `refreshToken`.
 */
export const createRedditAdapter: AdapterFactory = (channel): ChannelAdapter => {
  const { config, credentials } = channel;
  const username = asString(credentials.username);
  const webBaseUrl = asString(config.webBaseUrl) ?? 'https://www.reddit.com';
  const client = createRedditClient({
    apiBaseUrl: asString(config.apiBaseUrl) ?? 'https://oauth.reddit.com',
    authBaseUrl: asString(config.authBaseUrl) ?? 'https://www.reddit.com',
    userAgent: asString(config.userAgent) ?? `server:parley:0.1.0 (by /u/${username ?? 'parley'})`,
    credentials: {
      clientId: asString(credentials.clientId) ?? '',
      clientSecret: asString(credentials.clientSecret) ?? '',
      username,
      password: asString(credentials.password),
      refreshToken: asString(credentials.refreshToken),
    },
  });
  const sources: RedditSource[] = [
    ...(config.includeInbox === false ? [] : [{ path: '/message/inbox', listening: false }]),
    ...asArray(config.subreddits)
      .map(asString)
      .filter((s): s is string => s !== null)
      .map((sub) => ({ path: `/r/${encodeURIComponent(sub.replace(/^\/?r\//, ''))}/comments`, listening: true })),
  ];
  const ownAccountIds = [...channel.ownAccountIds, ...(username ? [username] : [])];

  return {
    platform: 'reddit',
    channelId: channel.id,
    poll: (cursor, signal) => pollReddit(client, sources, channel.id, cursor, { ownAccountIds, webBaseUrl }, signal),
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
