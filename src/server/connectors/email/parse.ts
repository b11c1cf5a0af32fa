import { createHash } from 'node:crypto';
import { compile } from 'html-to-text';
import { simpleParser } from 'mailparser';
import type { AddressObject, ParsedMail } from 'mailparser';
import type { Envelope } from '../../../shared/envelope.js';
import { emailThreadKey, normalizeMessageId, normalizeReferences } from './threading.js';

export interface EmailMapOptions {
  /** Our own addresses: mail from them is an echo (Sent copies, our replies CC'd back). */
  ownAddresses?: readonly string[];
  /** IMAP position, kept in `raw` for operators. */
  uid?: number | null;
}

const toText = compile({ wordwrap: false, selectors: [{ selector: 'img', format: 'skip' }, { selector: 'a', options: { hideLinkHrefIfSameAsText: true } }] });

function addresses(value: AddressObject | AddressObject[] | undefined): { address: string; name: string | null }[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.flatMap((group) => group.value).flatMap((a) => (a.address ? [{ address: a.address.toLowerCase(), name: a.name || null }] : []));
}

function header(parsed: ParsedMail, name: string): string {
  const value = parsed.headers.get(name);
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'value' in value) return String((value as { value: unknown }).value);
  return '';
}

/** Loop protection (§6.2 step 7): auto-replies, bulk/list mail, bounces and our own mail are not customer messages. */
export function emailSkipReason(parsed: ParsedMail, ownAddresses: readonly string[] = []): string | null {
  const from = addresses(parsed.from)[0]?.address ?? null;
  const own = ownAddresses.map((a) => a.toLowerCase());
  if (from && own.includes(from)) return 'own-address';
  const autoSubmitted = header(parsed, 'auto-submitted').toLowerCase();
  if (autoSubmitted.startsWith('auto-')) return 'auto-submitted';
  if (/^(bulk|junk|list)$/i.test(header(parsed, 'precedence').trim())) return 'bulk';
  if (parsed.headers.has('x-autoreply') || parsed.headers.has('x-autorespond')) return 'auto-reply';
  if (/multipart\/report/i.test(header(parsed, 'content-type'))) return 'bounce';
  return null;
}

/** Mail without a Message-ID still needs a stable id so a re-fetch dedupes: hash what identifies it. */
function syntheticMessageId(parsed: ParsedMail): string {
  const from = addresses(parsed.from)[0]?.address ?? '';
  const digest = createHash('sha256').update(`${from}\n${parsed.date?.toISOString() ?? ''}\n${parsed.subject ?? ''}\n${parsed.text ?? ''}`).digest('hex').slice(0, 32);
  return `<${digest}@parley.missing-message-id>`;
}

/** Maps a parsed mail to an Envelope; null when loop protection says it is not a customer message. */
export function mapParsedEmail(parsed: ParsedMail, channelId: string, options: EmailMapOptions = {}): Envelope | null {
  if (emailSkipReason(parsed, options.ownAddresses) !== null) return null;
  const from = addresses(parsed.from)[0] ?? { address: 'unknown@invalid', name: null };
  const messageId = normalizeMessageId(parsed.messageId) ?? syntheticMessageId(parsed);
  const inReplyTo = normalizeMessageId(parsed.inReplyTo);
  const references = normalizeReferences(parsed.references);
  const subject = parsed.subject?.trim() ?? null;
  // Prefer the sender's own plain part; HTML-only mail is rendered to text (no markup, scripts or remote images survive).
  const text = (parsed.text?.trim() ? parsed.text : parsed.html ? toText(parsed.html) : '').trim();
  const date = parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : new Date();
  return {
    channelId,
    externalId: messageId.slice(0, 256),
    kind: 'email',
    visibility: 'private',
    author: { platformId: from.address, handle: from.address, displayName: from.name, followers: null, verified: null, email: from.address },
    text: text.slice(0, 100_000),
    // Raw HTML is left out on purpose: the workspace shows the safe text, never sender markup.
    html: null,
    subject: subject?.slice(0, 1000) ?? null,
    attachments: parsed.attachments.slice(0, 50).map((a) => ({ url: null, contentType: a.contentType || null, name: a.filename?.slice(0, 512) ?? null, size: a.size ?? null })),
    inReplyTo: inReplyTo?.slice(0, 256) ?? null,
    threadKey: emailThreadKey({ messageId, inReplyTo, references, subject })?.slice(0, 512) ?? null,
    url: null,
    createdAt: date.toISOString(),
    listening: null,
    editedAt: null,
    raw: {
      messageId,
      inReplyTo,
      references,
      from: from.address,
      to: addresses(parsed.to).map((a) => a.address),
      cc: addresses(parsed.cc).map((a) => a.address),
      subject,
      uid: options.uid ?? null,
    },
  };
}

/** Parses an RFC 822 message with mailparser and maps it; loop-protected mail (auto-replies, bounces, our own) gives null. */
export async function parseRawEmail(raw: Buffer | string, channelId: string, options: EmailMapOptions = {}): Promise<Envelope | null> {
  const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true });
  return mapParsedEmail(parsed, channelId, options);
}
