import type { Envelope } from '../../../shared/envelope.js';
import { asArray, asRecord, asString } from '../shared/json.js';
import type { JsonRecord } from '../shared/json.js';
import { metaTime } from '../meta/time.js';

/** Text and attachments of one inbound message by type; null for types that carry no customer words (reactions, unsupported). */
function contentOf(message: JsonRecord): { text: string; attachments: Envelope['attachments'] } | null {
  const type = asString(message.type);
  const part = type ? asRecord(message[type]) : null;
  switch (type) {
    case 'text':
      return { text: asString(part?.body) ?? '', attachments: [] };
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
    case 'sticker':
      // Media arrive as ids; the bytes need GET /{media-id} with the token, so only the metadata is kept here.
      return {
        text: asString(part?.caption) ?? '',
        attachments: [{ url: null, contentType: asString(part?.mime_type), name: asString(part?.filename) ?? asString(part?.id) }],
      };
    case 'location': {
      const where = [asString(part?.name), asString(part?.address)].filter(Boolean).join(', ');
      return { text: `Location: ${asString(part?.latitude) ?? '?'},${asString(part?.longitude) ?? '?'}${where ? ` (${where})` : ''}`, attachments: [] };
    }
    case 'contacts':
      return { text: asArray(message.contacts).map((c) => asString(asRecord(asRecord(c)?.name)?.formatted_name) ?? 'contact').join(', '), attachments: [] };
    case 'interactive': {
      const reply = asRecord(part?.button_reply) ?? asRecord(part?.list_reply) ?? asRecord(part?.nfm_reply);
      return { text: asString(reply?.title) ?? asString(reply?.body) ?? '', attachments: [] };
    }
    case 'button':
      return { text: asString(part?.text) ?? asString(part?.payload) ?? '', attachments: [] };
    default:
      return null;
  }
}

/**
 * Map a WhatsApp Cloud API webhook body. Only `messages` of this channel's phone number become
 * Envelopes; `statuses` (sent/delivered/read/failed of our own sends) never do.
 */
export function mapWhatsAppPayload(payload: unknown, channelId: string, phoneNumberId: string): Envelope[] {
  const body = asRecord(payload);
  const envelopes: Envelope[] = [];
  if (!body || body.object !== 'whatsapp_business_account') return envelopes;
  for (const entry of asArray(body.entry)) {
    for (const rawChange of asArray(asRecord(entry)?.changes)) {
      const change = asRecord(rawChange);
      const value = asRecord(change?.value);
      if (!value || change?.field !== 'messages') continue;
      if (asString(asRecord(value.metadata)?.phone_number_id) !== phoneNumberId) continue;
      const names = new Map<string, string | null>();
      for (const contact of asArray(value.contacts)) {
        const waId = asString(asRecord(contact)?.wa_id);
        if (waId) names.set(waId, asString(asRecord(asRecord(contact)?.profile)?.name));
      }
      for (const rawMessage of asArray(value.messages)) {
        const message = asRecord(rawMessage);
        const id = asString(message?.id);
        const from = asString(message?.from);
        if (!message || !id || !from) continue;
        const content = contentOf(message);
        if (!content) continue;
        envelopes.push({
          channelId,
          externalId: id,
          kind: 'dm',
          visibility: 'private',
          author: { platformId: from, handle: null, displayName: names.get(from) ?? null, followers: null, verified: null, phone: `+${from}` },
          text: content.text,
          attachments: content.attachments,
          inReplyTo: asString(asRecord(message.context)?.id),
          threadKey: `${phoneNumberId}:${from}`,
          url: null,
          createdAt: metaTime(message.timestamp) ?? new Date().toISOString(),
          raw: message,
        });
      }
    }
  }
  return envelopes;
}
