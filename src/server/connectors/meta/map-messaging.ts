import type { Envelope } from '../../../shared/envelope.js';
import type { Deletion } from '../port.js';
import { asArray, asRecord, asString } from '../shared/json.js';
import type { JsonRecord } from '../shared/json.js';
import { metaTime } from './time.js';

export interface MessagingMapResult {
  envelope: Envelope | null;
  deletion: Deletion | null;
}

function attachmentsOf(message: JsonRecord): Envelope['attachments'] {
  return asArray(message.attachments)
    .slice(0, 50)
    .map((a) => {
      const attachment = asRecord(a);
      const type = asString(attachment?.type);
      return {
        url: asString(asRecord(attachment?.payload)?.url),
        contentType: type === 'image' ? 'image/*' : type === 'video' ? 'video/*' : type === 'audio' ? 'audio/*' : type === 'file' ? 'application/octet-stream' : null,
      };
    });
}

/**
 * One Messenger or Instagram `messaging[]` (or `standby[]`) event. Echoes (`is_echo`, or sent by our
 * own page/account) are dropped; reads, deliveries and reactions carry no message.
 */
export function mapMetaMessagingEvent(event: JsonRecord, ownId: string, channelId: string): MessagingMapResult {
  const none = { envelope: null, deletion: null };
  const senderId = asString(asRecord(event.sender)?.id);
  const recipientId = asString(asRecord(event.recipient)?.id);
  if (!senderId) return none;
  const message = asRecord(event.message);
  const edit = asRecord(event.message_edit);
  const postback = asRecord(event.postback);
  if (message?.is_echo === true || senderId === ownId) return none;
  if (message?.is_deleted === true) {
    const mid = asString(message.mid);
    return mid ? { envelope: null, deletion: { channelId, externalId: mid } } : none;
  }
  const timestamp = metaTime(event.timestamp) ?? new Date().toISOString();
  const base = {
    channelId,
    kind: 'dm' as const,
    visibility: 'private' as const,
    author: { platformId: senderId, handle: null, displayName: null, followers: null, verified: null },
    // One conversation per person per page/account, the way Messenger itself threads it.
    threadKey: `${recipientId ?? ownId}:${senderId}`,
    url: null,
    createdAt: timestamp,
    raw: event,
  };
  if (message) {
    const mid = asString(message.mid);
    if (!mid || message.is_unsupported === true) return none;
    return {
      deletion: null,
      envelope: {
        ...base,
        externalId: mid,
        text: asString(message.text) ?? '',
        attachments: attachmentsOf(message),
        inReplyTo: asString(asRecord(message.reply_to)?.mid),
      },
    };
  }
  if (edit) {
    const mid = asString(edit.mid);
    if (!mid) return none;
    return { deletion: null, envelope: { ...base, externalId: mid, text: asString(edit.text) ?? '', attachments: [], inReplyTo: null, editedAt: timestamp } };
  }
  if (postback) {
    // A button tap opens the messaging window like a message does, so it is kept as the person's words.
    const id = asString(postback.mid) ?? `postback:${senderId}:${asString(event.timestamp) ?? timestamp}`;
    return { deletion: null, envelope: { ...base, externalId: id, text: asString(postback.title) ?? asString(postback.payload) ?? '', attachments: [], inReplyTo: null } };
  }
  return none;
}
