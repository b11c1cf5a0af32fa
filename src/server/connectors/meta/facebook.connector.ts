import type { AdapterFactory, ChannelAdapter } from '../port.js';
import { parseChannelSettings } from '../shared/channel-config.js';
import { asRecord, asString } from '../shared/json.js';
import { facebookConfigSchema, metaCredentialsSchema } from './config.js';
import { graphClientForChannel } from './graph.js';
import { sendMetaMessage } from './send.js';
import { handleMetaWebhook } from './webhook.js';

/** Facebook Page: feed comments and visitor posts, Messenger DMs; public comment replies, private replies, Messenger sends. */
export const createFacebookAdapter = ((channel): ChannelAdapter => {
  const config = parseChannelSettings(facebookConfigSchema, channel.config, `Facebook config for channel ${channel.id}`);
  const credentials = parseChannelSettings(metaCredentialsSchema, channel.credentials, `Facebook credentials for channel ${channel.id}`);
  const graph = graphClientForChannel('facebook', config, credentials);
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
