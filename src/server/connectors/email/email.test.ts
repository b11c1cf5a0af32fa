import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeSchema } from '../../../shared/envelope.js';
import { ConnectorError } from '../port.js';
import { createEmailAdapter } from './email.connector.js';
import { startSmtpSink } from './fake-server.js';
import type { SmtpSink } from './fake-server.js';
import { emailSkipReason, parseRawEmail } from './parse.js';
import { buildRawEmail } from './smtp.js';
import { normalizeReferences, normalizeSubject, resolveEmailThread } from './threading.js';

const mime = (headers: string, body: string) => `${headers.trim().split('\n').map((l) => l.trim()).join('\r\n')}\r\n\r\n${body}`;

describe('parseRawEmail', () => {
  it('turns HTML-only mail into safe text, keeps attachment metadata, and keys the thread by the References root', async () => {
    const raw = mime(
      `From: "Ann Lee" <Ann@Example.test>
       To: support@acme.test
       Subject: Re: Order 1234 late
       Message-ID: <m3@example.test>
       In-Reply-To: <m2@acme.test>
       References: <m1@example.test> <m2@acme.test>
       Date: Sun, 22 Nov 2026 09:00:00 +0000
       MIME-Version: 1.0
       Content-Type: multipart/mixed; boundary="b1"`,
      ['--b1', 'Content-Type: text/html; charset=utf-8', '', '<p>Still <b>nothing</b>.<script>steal()</script><img src="https://track.test/p.gif"></p>', '--b1',
        'Content-Type: application/pdf; name="receipt.pdf"', 'Content-Disposition: attachment; filename="receipt.pdf"', 'Content-Transfer-Encoding: base64', '', Buffer.from('%PDF-1.4 fake').toString('base64'), '--b1--', ''].join('\r\n'),
    );
    const envelope = envelopeSchema.parse(await parseRawEmail(raw, 'ch-mail'));
    expect(envelope).toMatchObject({
      externalId: '<m3@example.test>', kind: 'email', visibility: 'private', subject: 'Re: Order 1234 late', inReplyTo: '<m2@acme.test>', threadKey: '<m1@example.test>',
      createdAt: '2026-11-22T09:00:00.000Z', html: null, author: { platformId: 'ann@example.test', email: 'ann@example.test', displayName: 'Ann Lee' },
      attachments: [{ url: null, contentType: 'application/pdf', name: 'receipt.pdf', size: 13 }],
    });
    expect(envelope.text).toBe('Still nothing.');
    expect(envelope.raw).toMatchObject({ references: ['<m1@example.test>', '<m2@acme.test>'], to: ['support@acme.test'] });
  });

  it('skips auto-replies, bulk mail, bounces and our own mail', async () => {
    const base = 'From: a@b.test\nTo: support@acme.test\nSubject: x\nMessage-ID: <x@b.test>';
    expect(await parseRawEmail(mime(`${base}\nAuto-Submitted: auto-replied`, 'away'), 'c')).toBeNull();
    expect(await parseRawEmail(mime(`${base}\nPrecedence: bulk`, 'news'), 'c')).toBeNull();
    expect(await parseRawEmail(mime(base.replace('a@b.test', 'Support@Acme.test'), 'me'), 'c', { ownAddresses: ['support@acme.test'] })).toBeNull();
    const bounce = await simpleParser(mime(`${base}\nContent-Type: multipart/report; report-type=delivery-status; boundary=z`, '--z\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--z--'));
    expect(emailSkipReason(bounce)).toBe('bounce');
    expect(await parseRawEmail(mime(base, 'a real question'), 'c')).not.toBeNull();
  });

  it('gives mail without a Message-ID a stable synthetic id', async () => {
    const raw = mime('From: a@b.test\nSubject: hi\nDate: Sun, 22 Nov 2026 09:00:00 +0000', 'body');
    const a = await parseRawEmail(raw, 'c');
    expect(a?.externalId).toMatch(/^<[0-9a-f]{32}@parley\.missing-message-id>$/);
    expect((await parseRawEmail(raw, 'c'))?.externalId).toBe(a?.externalId);
  });
});

describe('email threading', () => {
  it('normalises subjects and references', () => {
    expect(normalizeSubject('RE: Fwd: AW:  [Support]  Order   1234 late')).toBe('order 1234 late');
    expect(normalizeSubject('Re[3]: Order')).toBe('order');
    expect(normalizeReferences('<a@x> <b@x>')).toEqual(['<a@x>', '<b@x>']);
    expect(normalizeReferences(['<a@x>', 'b@x'])).toEqual(['<a@x>', '<b@x>']);
  });

  it('follows a known header only when the subject agrees, then falls back to the subject, else starts a thread', () => {
    const known = new Map([['<m1@x>', { threadKey: 'T1', subject: 'Order 1234 late' }]]);
    const lookup = { byMessageId: (id: string) => known.get(id) ?? null, bySubject: (s: string) => (s === 'refund please' ? { threadKey: 'T2' } : null) };
    expect(resolveEmailThread({ messageId: '<m9@x>', inReplyTo: '<m1@x>', references: [], subject: 'Re: order 1234 LATE' }, lookup)).toEqual({ threadKey: 'T1', matchedBy: 'header' });
    expect(resolveEmailThread({ messageId: '<m9@x>', inReplyTo: '<m1@x>', references: [], subject: 'A new topic' }, lookup)).toEqual({ threadKey: '<m1@x>', matchedBy: 'new' });
    expect(resolveEmailThread({ messageId: '<m9@x>', inReplyTo: null, references: [], subject: 'Re: Refund please' }, lookup)).toEqual({ threadKey: 'T2', matchedBy: 'subject' });
  });
});

describe('SMTP sending against smtp-server', () => {
  let sink: SmtpSink;
  const adapter = (password = 'smtp-secret') =>
    createEmailAdapter({
      id: 'ch-mail', platform: 'email',
      config: { address: 'support@acme.test', fromName: 'Acme Support', smtp: { host: sink.host, port: sink.port, secure: false, ignoreTLS: true }, imap: { host: '127.0.0.1', port: 1, secure: false } },
      credentials: { user: 'support@acme.test', password }, ownAccountIds: [],
    });
  beforeAll(async () => {
    sink = await startSmtpSink({ user: 'support@acme.test', password: 'smtp-secret' });
  });
  afterAll(async () => {
    await sink.close();
  });

  it('sends a threaded reply whose Message-ID is the platform id', async () => {
    const result = await adapter().send({
      idempotencyKey: 'reply-1', channelId: 'ch-mail', kind: 'email', text: 'Your parcel ships today.', subject: 'Order 1234 late',
      inReplyToExternalId: '<m3@example.test>', references: ['<m1@example.test>', '<m2@acme.test>'], recipient: { platformId: 'ann@example.test', email: 'ann@example.test' },
    });
    expect(result.platformMessageId).toMatch(/^<parley\.[0-9a-f]{32}@acme\.test>$/);
    const mail = sink.received.at(-1)!;
    expect(mail.to).toEqual(['ann@example.test']);
    const parsed = await simpleParser(mail.raw);
    expect(parsed.messageId).toBe(result.platformMessageId);
    expect(parsed.inReplyTo).toBe('<m3@example.test>');
    expect(normalizeReferences(parsed.references)).toEqual(['<m1@example.test>', '<m2@acme.test>', '<m3@example.test>']);
    expect(parsed.subject).toBe('Re: Order 1234 late');
    expect(parsed.from?.value[0]).toMatchObject({ address: 'support@acme.test', name: 'Acme Support' });
    const again = await adapter().send({ idempotencyKey: 'reply-1', channelId: 'ch-mail', kind: 'email', text: 'x', recipient: { platformId: 'ann@example.test' } });
    expect(again.platformMessageId).toBe(result.platformMessageId);
  });

  it('maps a 4xx deferral to retryable, a 5xx rejection and bad credentials to permanent', async () => {
    const message = { idempotencyKey: 'k', channelId: 'ch-mail', kind: 'email' as const, text: 'hi', recipient: { platformId: 'x@example.test', email: 'x@example.test' } };
    sink.failNext(451, 'Too many messages, try again in 2 minutes');
    await expect(adapter().send(message)).rejects.toMatchObject({ retryable: true, retryAfterMs: 120_000, platformCode: '451' });
    sink.failNext(550, 'Mailbox unavailable');
    const rejected = await adapter().send(message).catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(ConnectorError);
    expect(rejected).toMatchObject({ retryable: false, platformCode: '550' });
    expect((rejected as Error).message).toMatch(/rejected the mail \(550\)/);
    await expect(adapter('wrong').send(message)).rejects.toMatchObject({ retryable: false, platformCode: 'EAUTH' });
    await expect(adapter().send({ ...message, recipient: null })).rejects.toMatchObject({ retryable: false, platformCode: 'no_recipient' });
  });

  it('builds raw mail that parses back to the same envelope fields', async () => {
    const raw = await buildRawEmail({ from: { name: 'Bo', address: 'bo@example.test' }, to: 'support@acme.test', subject: 'Help', text: 'My card was charged twice', messageId: '<demo-1@example.test>', date: new Date('2026-11-20T12:00:00Z') });
    expect(await parseRawEmail(raw, 'c')).toMatchObject({ externalId: '<demo-1@example.test>', text: 'My card was charged twice', threadKey: '<demo-1@example.test>', createdAt: '2026-11-20T12:00:00.000Z' });
  });
});
