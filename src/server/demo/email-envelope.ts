/**
 * Raw email → Envelope for the demo. The email connector (IMAP in) does not exist yet, so this parses with
 * mailparser, the library the connector is to use, and threads on the first References id like a mail client.
 */
import { simpleParser } from 'mailparser';
import type { Envelope } from '../../shared/envelope.js';

export const parseRawEmailToEnvelope = async (raw: string, channelId: string): Promise<Envelope | null> => {
  const mail = await simpleParser(raw);
  const from = mail.from?.value[0];
  if (!mail.messageId || !from?.address) return null;
  const references = Array.isArray(mail.references) ? mail.references : mail.references ? [mail.references] : [];
  return {
    channelId,
    externalId: mail.messageId,
    kind: 'email',
    visibility: 'private',
    author: { platformId: from.address.toLowerCase(), handle: from.address.toLowerCase(), displayName: from.name || null, email: from.address.toLowerCase(), followers: null, verified: null },
    text: (mail.text ?? '').trim(),
    subject: mail.subject ?? null,
    attachments: mail.attachments.map((a) => ({ name: a.filename ?? null, contentType: a.contentType, size: a.size })),
    inReplyTo: mail.inReplyTo ?? null,
    threadKey: references[0] ?? mail.inReplyTo ?? mail.messageId,
    createdAt: (mail.date ?? new Date()).toISOString(),
    raw: { messageId: mail.messageId, headers: Object.fromEntries([...mail.headers.keys()].map((k) => [k, String(mail.headers.get(k))])) },
  };
};
