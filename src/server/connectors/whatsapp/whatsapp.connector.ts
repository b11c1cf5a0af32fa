import { z } from 'zod';
import type { AdapterFactory, ChannelAdapter } from '../port.js';
import { parseChannelSettings } from '../shared/channel-config.js';
import { parseJsonValue } from '../shared/json.js';
import { graphClientForChannel } from '../meta/graph.js';
import { answerMetaHandshake, checkMetaSignature } from '../meta/verify.js';
import { mapWhatsAppPayload } from './map.js';
import { sendWhatsAppMessage } from './send.js';

export const whatsappConfigSchema = z.object({
  graphBaseUrl: z.url().default('https://graph.facebook.com'),
  graphVersion: z.string().regex(/^v\d+\.\d+$/).default('v23.0'),
  /** The business phone number's id (webhook metadata.phone_number_id, the send path). */
  phoneNumberId: z.string().min(1),
  pauseAbovePercent: z.number().min(1).max(100).default(95),
});

export const whatsappCredentialsSchema = z.object({
  /** System-user access token. */
  accessToken: z.string().min(1),
  appSecret: z.string().min(1).optional(),
  verifyToken: z.string().min(1).optional(),
});

/** WhatsApp Cloud API: signed webhooks in, text inside the 24-hour window and templates outside it. */
export const createWhatsAppAdapter = ((channel): ChannelAdapter => {
  const config = parseChannelSettings(whatsappConfigSchema, channel.config, `WhatsApp config for channel ${channel.id}`);
  const credentials = parseChannelSettings(whatsappCredentialsSchema, channel.credentials, `WhatsApp credentials for channel ${channel.id}`);
  const graph = graphClientForChannel('whatsapp', config, credentials);
  return {
    platform: 'whatsapp',
    channelId: channel.id,
    handleWebhook(request) {
      if (request.method === 'GET') return answerMetaHandshake(request, credentials.verifyToken);
      const rejection = checkMetaSignature(request, credentials.appSecret);
      if (rejection) return rejection;
      const payload = parseJsonValue(request.rawBody);
      if (payload === null) return { type: 'rejected', status: 400, reason: 'body is not JSON' };
      return { type: 'events', envelopes: mapWhatsAppPayload(payload, channel.id, config.phoneNumberId), deletions: [] };
    },
    send: (message) => sendWhatsAppMessage({ graph, phoneNumberId: config.phoneNumberId }, message),
    async test() {
      try {
        await graph.call('GET', `/${config.phoneNumberId}?fields=display_phone_number,verified_name`, 'read the phone number');
        return { ok: true, detail: 'phone number reachable' };
      } catch (error) {
        return { ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
    },
  };
}) satisfies AdapterFactory;
