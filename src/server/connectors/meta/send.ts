import { ConnectorError } from '../port.js';
import type { OutboundMessage, SendResult } from '../port.js';
import { asRecord, asString } from '../shared/json.js';
import { messagingWindow } from '../shared/messaging-window.js';
import type { GraphClient } from './graph.js';

export interface MetaSendContext {
  platform: 'facebook' | 'instagram';
  graph: GraphClient;
  /** Page id (Facebook) or Instagram account id: the `/{id}/messages` sender. */
  ownId: string;
  /** Use the HUMAN_AGENT tag for human replies 24 h–7 days after the customer's last message. */
  humanAgentTag: boolean;
  nowMs?: number;
}

const name = (platform: MetaSendContext['platform']) => (platform === 'facebook' ? 'Messenger' : 'Instagram');

async function publicReply(context: MetaSendContext, message: OutboundMessage): Promise<SendResult> {
  const target = message.inReplyToExternalId;
  if (!target) throw new ConnectorError(`a public ${context.platform} reply needs the comment or post it answers`, false, null, 'no_target');
  // Instagram only threads one level: replies go on the comment (/replies); Facebook comments nest (/comments).
  const edge = context.platform === 'instagram' ? 'replies' : 'comments';
  const response = await context.graph.call('POST', `/${encodeURIComponent(target)}/${edge}`, 'post the public reply', { message: message.text });
  const id = asString(asRecord(response.json)?.id);
  if (!id) throw new ConnectorError('Meta accepted the reply but returned no id', false, null, 'malformed_response');
  return { platformMessageId: id, url: context.platform === 'facebook' ? `https://www.facebook.com/${id}` : null };
}

async function privateMessage(context: MetaSendContext, message: OutboundMessage): Promise<SendResult> {
  const personId = message.recipient?.platformId;
  const commentId = !personId ? message.inReplyToExternalId : null;
  if (!personId && !commentId) throw new ConnectorError(`a ${name(context.platform)} message needs a recipient or a comment to answer privately`, false, null, 'no_recipient');
  const body: Record<string, unknown> = { recipient: personId ? { id: personId } : { comment_id: commentId }, message: { text: message.text } };
  if (commentId) {
    // Private replies: one message per comment, within 7 days of it.
    const window = messagingWindow(message.lastInboundAt, { openHours: 7 * 24, nowMs: context.nowMs });
    if (window.type !== 'open') {
      throw new ConnectorError(`cannot reply privately: the comment is ${Math.floor(window.hoursSince / 24)} days old and ${name(context.platform)} allows private replies only within 7 days`, false, null, 'outside_window');
    }
  } else {
    const window = messagingWindow(message.lastInboundAt, { openHours: 24, taggedHours: context.humanAgentTag ? 7 * 24 : undefined, nowMs: context.nowMs });
    if (window.type === 'closed') {
      const limit = context.humanAgentTag ? '7 days (human agent tag)' : '24 hours';
      throw new ConnectorError(
        `cannot message on ${name(context.platform)}: the customer last wrote ${Math.floor(window.hoursSince)} hours ago and replies are allowed only within ${limit}; reply publicly or wait for the customer to write again`,
        false,
        null,
        'outside_window',
      );
    }
    if (window.type === 'tagged') Object.assign(body, { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
    else body.messaging_type = 'RESPONSE';
  }
  const response = await context.graph.call('POST', `/${encodeURIComponent(context.ownId)}/messages`, `send the ${name(context.platform)} message`, body);
  const id = asString(asRecord(response.json)?.message_id);
  if (!id) throw new ConnectorError('Meta accepted the message but returned no message_id', false, null, 'malformed_response');
  return { platformMessageId: id, url: null };
}

/**
 * Deliver a reply: kind `reply` comments publicly under `inReplyToExternalId`; kind `dm` messages
 * `recipient.platformId` within the messaging windows, or, without a recipient, sends a private
 * reply to the comment `inReplyToExternalId`.
 */
export function sendMetaMessage(context: MetaSendContext, message: OutboundMessage): Promise<SendResult> {
  // Parley's Facebook and Instagram adapters send text only (the reply route refuses attachments there too).
  if (message.media?.length) return Promise.reject(new ConnectorError(`${context.platform}: Parley sends text only on this channel; the reply's ${message.media.length} attachment(s) cannot be delivered`, false, null, 'media_unsupported'));
  if (message.kind === 'reply') return publicReply(context, message);
  if (message.kind === 'dm') return privateMessage(context, message);
  return Promise.reject(new ConnectorError(`${context.platform} cannot deliver a message of kind ${message.kind}`, false, null, 'unsupported_kind'));
}
