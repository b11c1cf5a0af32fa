import { ConnectorError } from '../port.js';
import type { OutboundMessage, SendResult } from '../port.js';
import { asArray, asRecord, asString } from '../shared/json.js';
import { messagingWindow } from '../shared/messaging-window.js';
import type { GraphClient } from '../meta/graph.js';
import { checkCaption } from '../../../shared/channel-limits.js';
import { mediaBlob, outboundMediaProblems } from '../shared/media.js';

export interface WhatsAppSendContext {
  graph: GraphClient;
  phoneNumberId: string;
  nowMs?: number;
}

function recipientOf(message: OutboundMessage): string | null {
  const raw = message.recipient?.platformId ?? null;
  const digits = raw?.replace(/[^\d]/g, '') ?? '';
  return digits.length > 0 ? digits : null;
}

const mediaKind = (contentType: string): 'image' | 'video' | 'document' => (contentType.startsWith('image/') ? 'image' : contentType.startsWith('video/') ? 'video' : 'document');

/** Refuses media WhatsApp cannot carry (one file per message, its types and sizes, the caption cap) before any call. */
function checkWhatsAppMedia(message: OutboundMessage, freeForm: boolean): void {
  const media = message.media ?? [];
  if (!freeForm) throw new ConnectorError('WhatsApp media needs the 24-hour customer-service window (templates here carry text only)', false, null, 'media_outside_window');
  const problems = outboundMediaProblems('whatsapp', media);
  const caption = checkCaption('whatsapp', message.text, media.length);
  if (problems.length || caption) throw new ConnectorError(`WhatsApp cannot carry these attachments: ${[...problems.map((p) => p.message), ...(caption ? [caption] : [])].join('; ')}`, false, null, 'media_limits');
}

async function uploadWhatsAppMedia(context: WhatsAppSendContext, file: { filename: string; contentType: string; bytes: Buffer }): Promise<string> {
  const form = new FormData();
  form.append('messaging_product', 'whatsapp');
  form.append('type', file.contentType);
  form.append('file', mediaBlob(file), file.filename);
  const response = await context.graph.call('POST', `/${encodeURIComponent(context.phoneNumberId)}/media`, 'upload the WhatsApp media', form);
  const id = asString(asRecord(response.json)?.id);
  if (!id) throw new ConnectorError('WhatsApp accepted the upload but returned no media id', true, 30_000, 'malformed_response');
  return id;
}

/**
 * Free-form text inside the 24-hour customer-service window; an approved template outside it
 * (CONNECTORS.md §7). Without a template outside the window the send is refused with the reason.
 */
export async function sendWhatsAppMessage(context: WhatsAppSendContext, message: OutboundMessage): Promise<SendResult> {
  if (message.kind !== 'dm' && message.kind !== 'reply' && message.kind !== 'chat') {
    throw new ConnectorError(`WhatsApp cannot deliver a message of kind ${message.kind}`, false, null, 'unsupported_kind');
  }
  const to = recipientOf(message);
  if (!to) throw new ConnectorError('a WhatsApp message needs the customer’s WhatsApp id or phone number', false, null, 'no_recipient');
  const window = messagingWindow(message.lastInboundAt, { openHours: 24, nowMs: context.nowMs });
  const body: Record<string, unknown> = { messaging_product: 'whatsapp', recipient_type: 'individual', to };
  const freeForm = window.type === 'open' && !message.template;
  const file = message.media?.[0];
  if (file) checkWhatsAppMedia(message, freeForm);
  if (freeForm) {
    if (file) {
      // The file goes up first (POST /{phone-number-id}/media); the message names it, with the text as its caption.
      const mediaId = await uploadWhatsAppMedia(context, file);
      const kind = mediaKind(file.contentType);
      body.type = kind;
      body[kind] = { id: mediaId, ...(message.text ? { caption: message.text } : {}), ...(kind === 'document' ? { filename: file.filename } : {}) };
    } else {
      body.type = 'text';
      body.text = { body: message.text, preview_url: false };
    }
    if (message.inReplyToExternalId) body.context = { message_id: message.inReplyToExternalId };
  } else if (message.template) {
    const parameters = (message.template.parameters ?? []).map((text) => ({ type: 'text', text }));
    body.type = 'template';
    body.template = {
      name: message.template.name,
      language: { code: message.template.language },
      ...(parameters.length > 0 ? { components: [{ type: 'body', parameters }] } : {}),
    };
  } else {
    const hours = window.type === 'open' ? 0 : Math.floor(window.hoursSince);
    throw new ConnectorError(
      `cannot send free text on WhatsApp: the customer last wrote ${hours} hours ago, outside the 24-hour window; send an approved template instead`,
      false,
      null,
      'outside_window',
    );
  }
  const response = await context.graph.call('POST', `/${encodeURIComponent(context.phoneNumberId)}/messages`, 'send the WhatsApp message', body);
  const id = asString(asRecord(asArray(asRecord(response.json)?.messages)[0])?.id);
  if (!id) throw new ConnectorError('WhatsApp accepted the message but returned no id', false, null, 'malformed_response');
  return { platformMessageId: id, url: null };
}
