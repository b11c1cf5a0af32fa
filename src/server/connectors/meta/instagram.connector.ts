import type { AdapterFactory, ChannelAdapter } from '../port.js';
import { parseChannelSettings } from '../shared/channel-config.js';
import { asRecord, asString } from '../shared/json.js';
import { instagramConfigSchema, metaCredentialsSchema } from './config.js';
import { graphClientForChannel } from './graph.js';
import { createInstagramTokens } from './instagram-token.js';
import { mapInstagramMentionedComment } from './map-instagram.js';
import { sendMetaMessage } from './send.js';
import { handleMetaWebhook } from './webhook.js';

/** Instagram professional account: comments, @mentions and DMs in; comment replies, private replies and DMs out. */
export const createInstagramAdapter = ((channel): ChannelAdapter => {
  const config = parseChannelSettings(instagramConfigSchema, channel.config, `Instagram config for channel ${channel.id}`);
  const credentials = parseChannelSettings(metaCredentialsSchema, channel.credentials, `Instagram credentials for channel ${channel.id}`);
  const tokens = createInstagramTokens({
    baseUrl: config.graphBaseUrl,
    accessToken: credentials.accessToken,
    expiresAt: credentials.accessTokenExpiresAt ?? null,
    issuedAt: credentials.accessTokenIssuedAt ?? null,
    ...(channel.credentialStore ? { store: channel.credentialStore } : {}),
  });
  const graph = graphClientForChannel('instagram', config, credentials, () => tokens.current());
  return {
    platform: 'instagram',
    channelId: channel.id,
    handleWebhook: (request) =>
      handleMetaWebhook(request, {
        platform: 'instagram',
        ownId: config.igUserId,
        channelId: channel.id,
        verifyToken: credentials.verifyToken,
        appSecret: credentials.appSecret,
        async resolveMention(ref) {
          if (!ref.commentId) return null;
          const fields = `mentioned_comment.comment_id(${ref.commentId}){id,text,username,timestamp,media{id}}`;
          const response = await graph.call('GET', `/${config.igUserId}?fields=${encodeURIComponent(fields)}`, 'read the mentioning comment');
          return mapInstagramMentionedComment(response.json, ref, channel.id);
        },
      }),
    send: (message) => sendMetaMessage({ platform: 'instagram', graph, ownId: config.pageId ?? config.igUserId, humanAgentTag: config.humanAgentTag }, message),
    async test() {
      try {
        const me = await graph.call('GET', `/${config.igUserId}?fields=id,username`, 'read the account');
        return { ok: true, detail: `connected to @${asString(asRecord(me.json)?.username) ?? config.igUserId}` };
      } catch (error) {
        return { ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
    },
  };
}) satisfies AdapterFactory;
