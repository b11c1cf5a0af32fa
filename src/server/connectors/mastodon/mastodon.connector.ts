import { strictGuardedHttp } from '../../platform/guarded-http.js';
import type { AdapterFactory, ChannelAdapter, OutboundMessage, SendResult } from '../port.js';
import { ConnectorError } from '../port.js';
import { parseChannelSettings } from '../shared/channel-config.js';
import { asRecord, asString } from '../shared/json.js';
import { createMastodonClient } from './client.js';
import type { MastodonClient } from './client.js';
import { planMastodonListening } from './listening.js';
import type { MastodonListening } from './listening.js';
import { mastodonConfigSchema, mastodonCredentialsSchema } from './settings.js';
import { pollMastodon, streamMastodon } from './stream.js';
import type { MastodonStreamDeps } from './stream.js';
import { uploadMastodonMedia } from './media.js';

export { mapMastodonStatus, mapMastodonNotification, mapMastodonStreamFrame } from './map.js';

const visibilityRank = ['public', 'unlisted', 'private', 'direct'];

/** A reply never widens the audience of the status it answers. */
function replyVisibility(kind: OutboundMessage['kind'], parentVisibility: string | null): string {
  if (kind === 'dm') return 'direct';
  const parent = visibilityRank.indexOf(parentVisibility ?? 'public');
  return visibilityRank[Math.max(0, parent)] ?? 'public';
}

async function sendStatus(client: MastodonClient, message: OutboundMessage, sentIds: Set<string>, mediaPollMs?: number): Promise<SendResult> {
  let parentVisibility: string | null = null;
  let mention = message.recipient?.handle ?? null;
  if (message.inReplyToExternalId) {
    const { body } = await client.get(`/api/v1/statuses/${encodeURIComponent(message.inReplyToExternalId)}`);
    const parent = asRecord(body);
    parentVisibility = asString(parent?.visibility);
    mention ??= asString(asRecord(parent?.account)?.acct);
  }
  const visibility = replyVisibility(message.kind, parentVisibility);
  if (visibility === 'direct' && !mention) throw new ConnectorError('A Mastodon direct message reaches only the accounts it mentions: give a recipient handle or a status to answer', false, null, 'no_recipient');
  // Mastodon delivers to (and notifies) the accounts mentioned in the text, so the customer must be mentioned.
  const handle = mention?.replace(/^@/, '') ?? null;
  const text = handle && !message.text.includes(`@${handle}`) ? `@${handle} ${message.text}` : message.text;
  const mediaIds = message.media?.length ? await uploadMastodonMedia(client, message.media, mediaPollMs === undefined ? {} : { pollMs: mediaPollMs }) : [];
  const status = asRecord(
    await client.post(
      '/api/v1/statuses',
      { status: text, in_reply_to_id: message.inReplyToExternalId ?? undefined, visibility, ...(mediaIds.length ? { media_ids: mediaIds } : {}) },
      // Mastodon keeps idempotency keys for an hour and returns the original status on a retry.
      { 'idempotency-key': message.idempotencyKey },
    ),
  );
  const id = asString(status?.id);
  if (!id) throw new ConnectorError('Mastodon accepted the status but returned no id', true, 30_000, 'no_id');
  sentIds.add(id);
  return { platformMessageId: id, url: asString(status?.url) };
}

/**
 * Config: `baseUrl` (instance origin), optional `streamingUrl` (ws origin; else `/api/v2/instance`), `accountId`,
 * `listeningQueries` (string[]: followed hashtags or the public timeline, filtered exactly), `keywordsAsHashtags`.
 * Credentials: `accessToken` (scopes read write, or read:statuses read:notifications write:statuses).
 */
export const createMastodonAdapter: AdapterFactory = (channel, context): ChannelAdapter => {
  const config = parseChannelSettings(mastodonConfigSchema, channel.config, 'mastodon config');
  const { accessToken } = parseChannelSettings(mastodonCredentialsSchema, channel.credentials, 'mastodon credentials');
  const baseUrl = config.baseUrl.replace(/\/$/, '');
  // The instance is a URL an admin chose: every connection (REST and streaming) goes through the private-address guard.
  const client = createMastodonClient({ baseUrl, accessToken, fetch: context?.fetch ?? strictGuardedHttp().fetch });
  const sentIds = new Set<string>();
  let own: Promise<readonly string[]> | null = null;
  let streaming: Promise<string> | null = null;
  let listening: MastodonListening | null | undefined;

  const deps: MastodonStreamDeps = {
    client,
    channelId: channel.id,
    accessToken,
    socketOptions: context?.socketOptions ?? strictGuardedHttp().socketOptions,
    sentIds,
    reconnectBaseMs: config.reconnectBaseMs,
    recheckRecent: config.recheckRecent,
    listening() {
      // Planned on first use, so a bad query fails the poll or stream with a readable permanent error.
      listening ??= planMastodonListening(config.listeningQueries, config.keywordsAsHashtags);
      return listening;
    },
    ownAccountIds() {
      const configured = [...channel.ownAccountIds, ...(config.accountId ? [config.accountId] : [])];
      own ??= configured.length > 0
        ? Promise.resolve(configured)
        : client.get('/api/v1/accounts/verify_credentials').then(({ body }) => [asString(asRecord(body)?.id) ?? '']).catch((error: unknown) => {
            own = null;
            throw error;
          });
      return own;
    },
    streamingUrl() {
      const configured = config.streamingUrl;
      streaming ??= configured
        ? Promise.resolve(configured)
        : client.get('/api/v2/instance').then(({ body }) => {
            const discovered = asString(asRecord(asRecord(asRecord(body)?.configuration)?.urls)?.streaming);
            return discovered ?? baseUrl.replace(/^http/, 'ws');
          });
      return streaming;
    },
  };

  return {
    platform: 'mastodon',
    channelId: channel.id,
    poll: (cursor, signal) => pollMastodon(deps, cursor, signal),
    stream: (sink, cursor, signal) => streamMastodon(deps, sink, cursor, signal),
    send: (message) => sendStatus(client, message, sentIds, config.mediaPollMs),
    async test() {
      try {
        const { body } = await client.get('/api/v1/accounts/verify_credentials');
        return { ok: true, detail: `signed in as @${asString(asRecord(body)?.acct) ?? 'unknown'}` };
      } catch (error) {
        return { ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
    },
  };
};
