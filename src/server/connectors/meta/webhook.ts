import type { Envelope } from '../../../shared/envelope.js';
import type { Deletion, WebhookRequest, WebhookResult } from '../port.js';
import { asArray, asRecord, asString, parseJsonValue } from '../shared/json.js';
import { mapFacebookFeedChange } from './map-feed.js';
import { mapInstagramComment, readInstagramMention } from './map-instagram.js';
import type { InstagramMentionRef } from './map-instagram.js';
import { mapMetaMessagingEvent } from './map-messaging.js';
import { answerMetaHandshake, checkMetaSignature } from './verify.js';

export interface MetaPayloadContext {
  platform: 'facebook' | 'instagram';
  /** The Page id (Facebook) or Instagram professional account id this channel serves. */
  ownId: string;
  channelId: string;
}

export interface MetaPayloadResult {
  envelopes: Envelope[];
  deletions: Deletion[];
  /** Instagram @mentions, whose text must be fetched before they become Envelopes. */
  mentions: InstagramMentionRef[];
}

/** Map a Page or Instagram webhook body: `entry[].messaging|standby` events and `entry[].changes`. */
export function mapMetaWebhookPayload(payload: unknown, context: MetaPayloadContext): MetaPayloadResult {
  const result: MetaPayloadResult = { envelopes: [], deletions: [], mentions: [] };
  const body = asRecord(payload);
  const expectedObject = context.platform === 'facebook' ? 'page' : 'instagram';
  if (!body || body.object !== expectedObject) return result;
  const add = (mapped: { envelope: Envelope | null; deletion: Deletion | null }): void => {
    if (mapped.envelope) result.envelopes.push(mapped.envelope);
    if (mapped.deletion) result.deletions.push(mapped.deletion);
  };
  for (const rawEntry of asArray(body.entry)) {
    const entry = asRecord(rawEntry);
    // One app callback serves every Page/account the app is subscribed for: keep only this channel's.
    if (!entry || asString(entry.id) !== context.ownId) continue;
    for (const event of [...asArray(entry.messaging), ...asArray(entry.standby)]) {
      const record = asRecord(event);
      if (record) add(mapMetaMessagingEvent(record, context.ownId, context.channelId));
    }
    for (const rawChange of asArray(entry.changes)) {
      const change = asRecord(rawChange);
      const value = asRecord(change?.value);
      if (!change || !value) continue;
      const field = asString(change.field);
      if (context.platform === 'facebook' && field === 'feed') add(mapFacebookFeedChange(value, context.ownId, context.channelId, entry.time));
      else if (context.platform === 'instagram' && (field === 'comments' || field === 'live_comments')) {
        const envelope = mapInstagramComment(value, context.ownId, context.channelId, entry.time, field === 'live_comments');
        if (envelope) result.envelopes.push(envelope);
      } else if (context.platform === 'instagram' && field === 'mentions') result.mentions.push(readInstagramMention(value));
      // Dashboard test events put messaging events in the changes shape.
      else if (field === 'messages') add(mapMetaMessagingEvent(value, context.ownId, context.channelId));
    }
  }
  return result;
}

export interface MetaWebhookConfig extends MetaPayloadContext {
  verifyToken?: string;
  appSecret?: string;
  /** Fetch an @mention's comment; a failure rejects the delivery so Meta retries it. */
  resolveMention?: (ref: InstagramMentionRef) => Promise<Envelope | null>;
}

/** Facebook Page / Messenger / Instagram webhook: GET handshake, signed POST, mapped events. */
export async function handleMetaWebhook(request: WebhookRequest, config: MetaWebhookConfig): Promise<WebhookResult> {
  if (request.method === 'GET') return answerMetaHandshake(request, config.verifyToken);
  const rejection = checkMetaSignature(request, config.appSecret);
  if (rejection) return rejection;
  const payload = parseJsonValue(request.rawBody);
  if (payload === null) return { type: 'rejected', status: 400, reason: 'body is not JSON' };
  const mapped = mapMetaWebhookPayload(payload, config);
  if (config.resolveMention) {
    for (const ref of mapped.mentions) {
      const envelope = await config.resolveMention(ref);
      if (envelope) mapped.envelopes.push(envelope);
    }
  }
  return { type: 'events', envelopes: mapped.envelopes, deletions: mapped.deletions };
}
