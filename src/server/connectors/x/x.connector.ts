import { z } from 'zod';
import type { AdapterFactory, ChannelAdapter } from '../port.js';
import { parseChannelSettings } from '../shared/channel-config.js';
import { asRecord, asString } from '../shared/json.js';
import { createXClient } from './client.js';
import { syncXStreamRules } from './rules.js';
import type { XRuleSyncResult, XStreamRule } from './rules.js';
import { pollX } from './poll.js';
import { sendXMessage } from './send.js';
import { runXFilteredStream } from './stream.js';
import { handleXWebhook } from './webhook.js';
import { createXUserTokens } from './oauth2.js';
import { recoverXStreamGap } from './recovery.js';

export const xConfigSchema = z.object({
  baseUrl: z.url().default('https://api.x.com'),
  /** Defaults to baseUrl; separate so a proxy can carry the long-lived stream. */
  streamUrl: z.url().optional(),
  /** Our X user id (the account this channel answers as). */
  accountId: z.string().min(1).optional(),
  accountHandle: z.string().min(1).optional(),
  /** Our app id, to recognise DM echoes by `source_app_id`. */
  appId: z.string().min(1).optional(),
  skipRetweets: z.boolean().default(true),
  /** What poll() reads: the mentions timeline and/or DM events (for tiers without stream or webhooks). */
  pollMentions: z.boolean().default(true),
  pollDms: z.boolean().default(true),
  keepAliveTimeoutMs: z.number().int().positive().optional(),
  /**
   * How a reconnect fills the gap since the saved cursor (the newest stored post id): `search` (search/recent
   * since_id over the stream rules), `backfill` (`backfill_minutes`, Pro and Enterprise tiers; search beyond five
   * minutes) or `none`.
   */
  recovery: z.enum(['search', 'backfill', 'none']).default('search'),
  /** search/recent query length: 512 on self-serve tiers, 4096 on Pro and Enterprise. */
  searchQueryMaxLength: z.number().int().min(64).max(4096).default(512),
  /** Refresh the user access token this long before it lapses. */
  tokenRefreshSkewMs: z.number().int().nonnegative().default(60_000),
  backoff: z
    .object({
      networkStartMs: z.number().nonnegative(),
      networkCapMs: z.number().nonnegative(),
      httpStartMs: z.number().nonnegative(),
      httpCapMs: z.number().nonnegative(),
      rateLimitStartMs: z.number().nonnegative(),
    })
    .partial()
    .optional(),
});

export const xCredentialsSchema = z.object({
  /** App-only bearer token: filtered stream and rules. */
  bearerToken: z.string().min(1).optional(),
  /** OAuth 2.0 user-context access token: replies and DMs. */
  accessToken: z.string().min(1).optional(),
  /** With `offline.access`: rotates on every refresh; Parley stores the newest one. */
  refreshToken: z.string().min(1).optional(),
  /** Epoch ms when `accessToken` lapses (X: two hours after issue). */
  accessTokenExpiresAt: z.number().int().optional(),
  /** OAuth 2.0 client id (and secret for confidential clients), needed to refresh. */
  clientId: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  /** Consumer (API) secret: Account Activity CRC and signatures. */
  consumerSecret: z.string().min(1).optional(),
});

const streamQuery = new URLSearchParams({
  expansions: 'author_id,referenced_tweets.id,in_reply_to_user_id,attachments.media_keys',
  'tweet.fields': 'created_at,conversation_id,in_reply_to_user_id,referenced_tweets,entities,lang,edit_history_tweet_ids,note_tweet,attachments',
  'user.fields': 'username,name,public_metrics,verified,verified_type',
  'media.fields': 'url,preview_image_url,type',
});

export interface XAdapter extends ChannelAdapter {
  /** Make the app's Parley-managed filtered-stream rules equal these (compile listening queries with compileToXRules). */
  syncStreamRules(rules: XStreamRule[]): Promise<XRuleSyncResult>;
}

/** X channel: filtered stream in, Account Activity webhooks in, replies and DMs out. */
export const createXAdapter = ((channel) => {
  const config = parseChannelSettings(xConfigSchema, channel.config, `X config for channel ${channel.id}`);
  const credentials = parseChannelSettings(xCredentialsSchema, channel.credentials, `X credentials for channel ${channel.id}`);
  const ownUserIds = [...channel.ownAccountIds, ...(config.accountId ? [config.accountId] : [])];
  const userTokens = createXUserTokens({
    baseUrl: config.baseUrl,
    grant: { accessToken: credentials.accessToken ?? null, refreshToken: credentials.refreshToken ?? null, accessTokenExpiresAt: credentials.accessTokenExpiresAt ?? null },
    clientId: credentials.clientId ?? null,
    clientSecret: credentials.clientSecret ?? null,
    refreshSkewMs: config.tokenRefreshSkewMs,
    ...(channel.credentialStore ? { store: channel.credentialStore } : {}),
  });
  const client = createXClient({ baseUrl: config.baseUrl, bearerToken: credentials.bearerToken, userTokens });
  const adapter: XAdapter = {
    platform: 'x',
    channelId: channel.id,
    handleWebhook(request) {
      if (!credentials.consumerSecret) return { type: 'rejected', status: 403, reason: 'webhooks are not configured for this channel' };
      return handleXWebhook(request, {
        channelId: channel.id,
        consumerSecret: credentials.consumerSecret,
        accountId: config.accountId ?? null,
        ownUserIds,
        ownAppId: config.appId ?? null,
        skipRetweets: config.skipRetweets,
      });
    },
    async stream(sink, cursor, signal) {
      // The cursor is the newest post id stored; a reconnect recovers what the stream carried since (recovery.ts).
      const base = (config.streamUrl ?? config.baseUrl).replace(/\/+$/, '');
      const mapOptions = { ownUserIds, skipRetweets: config.skipRetweets };
      await runXFilteredStream(
        {
          url: `${base}/2/tweets/search/stream?${streamQuery}`,
          bearerToken: credentials.bearerToken ?? '',
          channelId: channel.id,
          mapOptions,
          keepAliveTimeoutMs: config.keepAliveTimeoutMs,
          backoff: config.backoff,
          sinceId: cursor && /^\d{1,20}$/.test(cursor) ? cursor : null,
          recovery: config.recovery,
          recover: (sinceId) => recoverXStreamGap(client, { channelId: channel.id, mapOptions, maxQueryLength: config.searchQueryMaxLength }, sinceId),
        },
        sink,
        signal,
      );
    },
    poll: (cursor) =>
      pollX(
        client,
        { channelId: channel.id, accountId: config.accountId ?? null, ownUserIds, includeMentions: config.pollMentions, includeDms: config.pollDms },
        cursor,
      ),
    send: (message) => sendXMessage(client, message, config.accountHandle ?? null),
    syncStreamRules: (rules) => syncXStreamRules(client, rules),
    async test() {
      try {
        if (credentials.accessToken || credentials.refreshToken) {
          const me = await client.call('user', 'GET', '/2/users/me', 'read the account');
          const user = asRecord(asRecord(me.json)?.data);
          return { ok: true, detail: `signed in as @${asString(user?.username) ?? asString(user?.id) ?? 'unknown'}` };
        }
        await client.call('app', 'GET', '/2/tweets/search/stream/rules', 'list stream rules');
        return { ok: true, detail: 'app bearer token accepted' };
      } catch (error) {
        return { ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
    },
  };
  return adapter;
}) satisfies AdapterFactory;
