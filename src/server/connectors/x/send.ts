import { ConnectorError } from '../port.js';
import type { OutboundMessage, SendResult } from '../port.js';
import { asRecord, asString } from '../shared/json.js';
import type { XClient } from './client.js';
import { xStatusUrl } from './ids.js';
import { checkXMedia, uploadXMedia } from './media.js';

/**
 * Deliver a public reply (POST /2/tweets) or a DM (v2 dm_conversations). X has no idempotency key,
 * so the outbox must record the intent before calling and must not blindly retry a timeout.
 */
export async function sendXMessage(client: XClient, message: OutboundMessage, ownHandle: string | null = null): Promise<SendResult> {
  const media = message.media ?? [];
  if (media.length && message.kind !== 'reply' && message.kind !== 'dm') throw new ConnectorError(`X cannot deliver media in a message of kind ${message.kind}`, false, null, 'unsupported_kind');
  if (media.length) checkXMedia(media, message.kind === 'dm' ? 'dm' : 'tweet');
  if (message.kind === 'reply') {
    const body: Record<string, unknown> = { text: message.text };
    if (message.inReplyToExternalId) body.reply = { in_reply_to_tweet_id: message.inReplyToExternalId };
    // Media first (v2 media upload), then the post names them.
    if (media.length) body.media = { media_ids: await uploadXMedia(client, media, 'tweet') };
    const response = await client.call('user', 'POST', '/2/tweets', 'post the reply', body);
    const id = asString(asRecord(asRecord(response.json)?.data)?.id);
    if (!id) throw new ConnectorError('X accepted the reply but returned no post id', false, null, 'malformed_response');
    return { platformMessageId: id, url: xStatusUrl(ownHandle, id) };
  }
  if (message.kind === 'dm') {
    const participant = message.recipient?.platformId;
    const path = participant
      ? `/2/dm_conversations/with/${encodeURIComponent(participant)}/messages`
      : message.threadKey
        ? `/2/dm_conversations/${encodeURIComponent(message.threadKey)}/messages`
        : null;
    if (!path) throw new ConnectorError('an X DM needs a recipient or a conversation id', false, null, 'no_recipient');
    const attachments = media.length ? (await uploadXMedia(client, media, 'dm')).map((id) => ({ media_id: id })) : [];
    const response = await client.call('user', 'POST', path, 'send the direct message', { text: message.text, ...(attachments.length ? { attachments } : {}) });
    // The body is wrapped in `data` on the wire; tolerate the unwrapped form too.
    const body = asRecord(response.json);
    const id = asString(asRecord(body?.data)?.dm_event_id) ?? asString(body?.dm_event_id);
    if (!id) throw new ConnectorError('X accepted the DM but returned no event id', false, null, 'malformed_response');
    return { platformMessageId: id, url: null };
  }
  throw new ConnectorError(`X cannot deliver a message of kind ${message.kind}`, false, null, 'unsupported_kind');
}
