import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { ConnectorError } from '../port.js';
import type { OutboundMessage, SendResult } from '../port.js';
import { asNumber, asRecord, asString } from '../shared/json.js';
import { normalizeMessageId, normalizeReferences, replySubject } from './threading.js';

export interface SmtpOptions {
  host: string;
  port: number;
  /** Implicit TLS (port 465); otherwise STARTTLS is used when offered unless `ignoreTLS`. */
  secure: boolean;
  ignoreTLS?: boolean;
  user?: string | null;
  password?: string | null;
  fromAddress: string;
  fromName?: string | null;
  /** Right-hand side of the Message-IDs we generate. */
  messageIdDomain: string;
}

/** Deterministic per outbound message: a retried send reuses the id, so the receiver and our own dedupe see one mail. */
export function outboundMessageId(idempotencyKey: string, domain: string): string {
  return `<parley.${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@${domain}>`;
}

/** "try again in 5 minutes" style hints some servers put in 4xx replies. */
function hintedDelayMs(response: string): number | null {
  const match = /(\d+)\s*(second|sec|minute|min|hour)/i.exec(response);
  if (!match) return null;
  const unit = match[2]!.toLowerCase();
  return Number(match[1]) * (unit.startsWith('s') ? 1000 : unit.startsWith('m') ? 60_000 : 3_600_000);
}

/** Maps a nodemailer failure: 4xx and connection trouble are retryable, 5xx and refused credentials are not. */
export function smtpError(error: unknown): ConnectorError {
  const e = asRecord(error);
  const code = asString(e?.code) ?? 'ESMTP';
  const responseCode = asNumber(e?.responseCode);
  const response = asString(e?.response) ?? (error instanceof Error ? error.message : String(error));
  if (code === 'EAUTH') return new ConnectorError(`The SMTP server refused the username or password: ${response}`, false, null, 'EAUTH');
  if (responseCode !== null && responseCode >= 400 && responseCode < 500) {
    return new ConnectorError(`The SMTP server deferred the mail (${responseCode}): ${response}`, true, hintedDelayMs(response) ?? 60_000, String(responseCode));
  }
  if (responseCode !== null && responseCode >= 500) return new ConnectorError(`The SMTP server rejected the mail (${responseCode}): ${response}`, false, null, String(responseCode));
  if (['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET'].includes(code)) {
    return new ConnectorError(`The SMTP server is unreachable: ${response}`, true, 30_000, code);
  }
  return new ConnectorError(`Sending mail failed: ${response}`, false, null, code);
}

export interface OutboundMail {
  from: { name?: string | null; address: string };
  to: string;
  subject: string;
  text: string;
  messageId: string;
  inReplyTo?: string | null;
  references?: string[];
  date?: Date;
  headers?: Record<string, string>;
  /** Files sent as MIME attachments (multipart/mixed), each with its stored type. */
  attachments?: { filename: string; contentType: string; content: Buffer }[];
}

function mailOptions(mail: OutboundMail): Mail.Options {
  return {
    from: mail.from.name ? { name: mail.from.name, address: mail.from.address } : mail.from.address,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    messageId: mail.messageId,
    inReplyTo: mail.inReplyTo ?? undefined,
    references: mail.references && mail.references.length > 0 ? mail.references : undefined,
    date: mail.date,
    headers: mail.headers,
    attachments: mail.attachments?.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content, contentDisposition: 'attachment' as const })),
  };
}

/** RFC 822 bytes of a mail, as SMTP would carry it (for the demo simulator and for tests). */
export function buildRawEmail(mail: OutboundMail): Promise<Buffer> {
  return new MailComposer(mailOptions(mail)).compile().build();
}

/** `onMessageId` runs before the mail leaves, so an echo arriving while the send is in flight is already known. */
export function createSmtpSender(options: SmtpOptions, onMessageId?: (messageId: string) => void): { send(message: OutboundMessage): Promise<SendResult>; verify(): Promise<void>; close(): void } {
  const transport = nodemailer.createTransport({
    host: options.host,
    port: options.port,
    secure: options.secure,
    ignoreTLS: options.ignoreTLS ?? false,
    auth: options.user ? { user: options.user, pass: options.password ?? '' } : undefined,
    connectionTimeout: 30_000,
  });

  return {
    async send(message) {
      const to = message.recipient?.email ?? message.recipient?.platformId ?? null;
      if (!to || !to.includes('@')) throw new ConnectorError('An email reply needs the recipient address', false, null, 'no_recipient');
      const inReplyTo = normalizeMessageId(message.inReplyToExternalId);
      // References carry the whole chain, ending with the mail we answer (RFC 5322 §3.6.4).
      const references = normalizeReferences([...(message.references ?? []), ...(inReplyTo ? [inReplyTo] : [])]);
      const messageId = outboundMessageId(message.idempotencyKey, options.messageIdDomain);
      const subject = inReplyTo ? replySubject(message.subject) : (message.subject ?? 'Your message');
      onMessageId?.(messageId);
      try {
        await transport.sendMail(mailOptions({ from: { name: options.fromName, address: options.fromAddress }, to, subject, text: message.text, messageId, inReplyTo, references, attachments: message.media?.map((m) => ({ filename: m.filename, contentType: m.contentType, content: m.bytes })) }));
      } catch (error) {
        throw smtpError(error);
      }
      return { platformMessageId: messageId, url: null };
    },
    async verify() {
      try {
        await transport.verify();
      } catch (error) {
        throw smtpError(error);
      }
    },
    close: () => transport.close(),
  };
}
