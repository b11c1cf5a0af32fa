import type { AdapterContext, AdapterFactory, ChannelAdapter, WebhookRequest, WebhookResult } from '../port.js';
import { ConnectorError } from '../port.js';
import { parseChannelSettings } from '../shared/channel-config.js';
import { parseJsonValue } from '../shared/json.js';
import { mapPhoneEvent, phonePayloadSchema } from './map.js';
import { phoneConfigSchema, phoneCredentialsSchema } from './settings.js';
import { checkPhoneSignature } from './verify.js';

export { signPhoneDelivery, phoneSignatureHeader, phoneTimestampHeader } from './verify.js';

/** Why a phone channel never sends: said plainly to the agent whose reply the outbox could not deliver. */
export const phoneRefusal = 'A phone channel cannot place calls or send messages. Call the customer back yourself and add a note with the outcome.';

/**
 * Phone: call logs and voicemail transcripts POSTed by a telephony system to /webhooks/phone/<channel>, signed
 * with the channel's secret. Inbound only: `send` refuses every message permanently.
 */
export const createPhoneAdapter = (channel: Parameters<AdapterFactory>[0], _context?: AdapterContext, now: () => number = Date.now): ChannelAdapter => {
  const config = parseChannelSettings(phoneConfigSchema, channel.config, `phone config for channel ${channel.id}`);
  const credentials = parseChannelSettings(phoneCredentialsSchema, channel.credentials, `phone credentials for channel ${channel.id}`);
  return {
    platform: 'phone',
    channelId: channel.id,
    handleWebhook(request: WebhookRequest): WebhookResult {
      if (request.method !== 'POST') return { type: 'rejected', status: 400, reason: 'POST call logs and voicemails as JSON' };
      const rejection = checkPhoneSignature(request, credentials.signingSecret, config.replayWindowSeconds, now());
      if (rejection) return rejection;
      const parsed = phonePayloadSchema.safeParse(parseJsonValue(request.rawBody));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return { type: 'rejected', status: 400, reason: `invalid delivery: ${issue ? `${issue.path.join('.') || '(body)'}: ${issue.message}` : 'not JSON'}` };
      }
      const events = 'events' in parsed.data ? parsed.data.events : [parsed.data];
      const options = { channelId: channel.id, callerIdVerified: config.callerIdVerified, ...(config.defaultCountry ? { defaultCountry: config.defaultCountry } : {}) };
      const envelopes = events.map((event) => mapPhoneEvent(event, options)).filter((e) => e !== null);
      return { type: 'events', envelopes, deletions: [] };
    },
    send(message) {
      const who = message.recipient?.handle ?? message.recipient?.platformId;
      return Promise.reject(new ConnectorError(`${phoneRefusal}${who && !who.startsWith('withheld:') ? ` Number: ${who}.` : ''}`, false, null, 'phone_no_outbound'));
    },
    test: async () => ({ ok: true, detail: 'the signing secret is set; the telephony system posts to /webhooks/phone/' + channel.id }),
  };
};
