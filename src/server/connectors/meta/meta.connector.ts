import { z } from 'zod';
import type { AdapterFactory, ChannelAdapter } from '../port.js';
import { parseChannelSettings } from '../shared/channel-config.js';
import { asRecord, asString } from '../shared/json.js';
import { createGraphClient } from './graph.js';
import { mapInstagramMentionedComment } from './map-instagram.js';
import { sendMetaMessage } from './send.js';
import { handleMetaWebhook } from './webhook.js';

const graphConfig = {
  graphBaseUrl: z.url().default('https://graph.facebook.com'),
  graphVersion: z.string().regex(/^v\d+\.\d+$/).default('v23.0'),
  /** Use the HUMAN_AGENT tag for replies 24 h–7 days after the customer's last message (needs Meta's permission). */
  humanAgentTag: z.boolean().default(true),
  /** Pause calls once the usage headers report this percentage. */
  pauseAbovePercent: z.number().min(1).max(100).default(95),
};

export const facebookConfigSchema = z.object({ pageId: z.string().min(1), ...graphConfig });
export const instagramConfigSchema = z.object({
  /** The Instagram professional account id (webhook entry.id, the sender of our replies). */
  igUserId: z.string().min(1),
  /** For accounts connected through a Facebook Page, DMs are sent as the Page. */
  pageId: z.string().min(1).optional(),
  ...graphConfig,
});

export const metaCredentialsSchema = z.object({
  /** Page access token (Facebook, Instagram via a Page) or Instagram-Login token. */
  accessToken: z.string().min(1),
  /** App secret: webhook signatures and appsecret_proof. */
  appSecret: z.string().min(1).optional(),
  /** Our hub.verify_token for the subscription handshake. */
  verifyToken: z.string().min(1).optional(),
  /** Send appsecret_proof with every call (on when "Require App Secret" is set for the app). */
  appSecretProof: z.boolean().default(false),
});

/** Facebook Page: feed comments and visitor posts, Messenger DMs; public comment replies, private replies, Messenger sends. */
export const createFacebookAdapter = ((channel): ChannelAdapter => {
  const config = parseChannelSettings(facebookConfigSchema, channel.config, `Facebook config for channel ${channel.id}`);
  const credentials = parseChannelSettings(metaCredentialsSchema, channel.credentials, `Facebook credentials for channel ${channel.id}`);
  const graph = createGraphClient({
    platform: 'facebook',
    baseUrl: config.graphBaseUrl,
    version: config.graphVersion,
    accessToken: credentials.accessToken,
    appSecret: credentials.appSecretProof ? credentials.appSecret : null,
    pauseAbovePercent: config.pauseAbovePercent,
  });
  return {
    platform: 'facebook',
    channelId: channel.id,
    handleWebhook: (request) =>
      handleMetaWebhook(request, { platform: 'facebook', ownId: config.pageId, channelId: channel.id, verifyToken: credentials.verifyToken, appSecret: credentials.appSecret }),
    send: (message) => sendMetaMessage({ platform: 'facebook', graph, ownId: config.pageId, humanAgentTag: config.humanAgentTag }, message),
    async test() {
      try {
        const me = await graph.call('GET', `/${config.pageId}?fields=id,name`, 'read the Page');
        return { ok: true, detail: `connected to Page ${asString(asRecord(me.json)?.name) ?? config.pageId}` };
      } catch (error) {
        return { ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
    },
  };
}) satisfies AdapterFactory;

/** Instagram professional account: comments, @mentions and DMs in; comment replies, private replies and DMs out. */
export const createInstagramAdapter = ((channel): ChannelAdapter => {
  const config = parseChannelSettings(instagramConfigSchema, channel.config, `Instagram config for channel ${channel.id}`);
  const credentials = parseChannelSettings(metaCredentialsSchema, channel.credentials, `Instagram credentials for channel ${channel.id}`);
  const graph = createGraphClient({
    platform: 'instagram',
    baseUrl: config.graphBaseUrl,
    version: config.graphVersion,
    accessToken: credentials.accessToken,
    appSecret: credentials.appSecretProof ? credentials.appSecret : null,
    pauseAbovePercent: config.pauseAbovePercent,
  });
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
