import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailAdapter } from './email.connector.js';
import { startSmtpSink, type SmtpSink } from './fake-server.js';

describe('email reply attachments over SMTP', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink({ user: 'support@acme.test', password: 'smtp-secret' });
  });
  afterAll(async () => sink.close());

  it('sends the files as MIME attachments with their names, types and exact bytes', async () => {
    const adapter = createEmailAdapter({
      id: 'ch-mail', platform: 'email',
      config: { address: 'support@acme.test', fromName: 'Acme Support', smtp: { host: sink.host, port: sink.port, secure: false, ignoreTLS: true }, imap: { host: '127.0.0.1', port: 1, secure: false } },
      credentials: { user: 'support@acme.test', password: 'smtp-secret' }, ownAccountIds: [],
    });
    const pdf = Buffer.from('%PDF-1.4\n% invoice\n%%EOF\n', 'latin1');
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0, 1, 2, 255]);
    const result = await adapter.send({
      idempotencyKey: 'media-1', channelId: 'ch-mail', kind: 'email', text: 'Your invoice and a screenshot are attached.', subject: 'Invoice',
      inReplyToExternalId: '<m9@example.test>', recipient: { platformId: 'ann@example.test', email: 'ann@example.test' },
      media: [{ filename: 'invoice.pdf', contentType: 'application/pdf', bytes: pdf }, { filename: 'screen shot.png', contentType: 'image/png', bytes: png }],
    });
    const parsed = await simpleParser(sink.received.at(-1)!.raw);
    expect(parsed.messageId).toBe(result.platformMessageId);
    expect(parsed.text?.trim()).toBe('Your invoice and a screenshot are attached.');
    expect(parsed.attachments.map((a) => ({ name: a.filename, type: a.contentType, disposition: a.contentDisposition }))).toEqual([
      { name: 'invoice.pdf', type: 'application/pdf', disposition: 'attachment' },
      { name: 'screen shot.png', type: 'image/png', disposition: 'attachment' },
    ]);
    expect(parsed.attachments[0]!.content.equals(pdf)).toBe(true);
    expect(parsed.attachments[1]!.content.equals(png)).toBe(true);
  });
});
