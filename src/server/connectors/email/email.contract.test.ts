import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import { describe, it } from 'vitest';
import { runAdapterContract } from '../contract/run-adapter-contract.js';
import { createEmailAdapter } from './email.connector.js';
import { hasDovecot, startDovecot, startSmtpSink } from './fake-server.js';
import { buildRawEmail } from './smtp.js';

const user = { user: 'support@acme.test', password: 'imap-secret' };
let counter = 0;

// Needs Debian's dovecot-imapd, which CI installs; without it locally the contract is reported as skipped.
if (hasDovecot() || process.env.CI === 'true') {
  runAdapterContract('email (IMAP IDLE + SMTP)', async () => {
    const dovecot = await startDovecot([user]);
    const smtp = await startSmtpSink();
    const append = async (raw: Buffer) => {
      const writer = new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, auth: { user: user.user, pass: user.password }, logger: false, doSTARTTLS: false } as ConstructorParameters<typeof ImapFlow>[0]);
      await writer.connect();
      try {
        await writer.append('INBOX', raw);
      } finally {
        await writer.logout();
      }
    };
    return {
      createAdapter: () =>
        createEmailAdapter({
          id: 'ch-mail', platform: 'email',
          config: { address: 'support@acme.test', fromName: 'Acme Support', imap: { host: dovecot.host, port: dovecot.port, secure: false }, smtp: { host: smtp.host, port: smtp.port, secure: false, ignoreTLS: true }, idleDelayMs: 100, reconnectBaseMs: 100 },
          credentials: user, ownAccountIds: [],
        }),
      inbound: { mode: 'stream' },
      supports: { edits: false, deletes: false, echoes: true, cursor: true },
      async publish(event) {
        if (event.type === 'message') {
          const messageId = `<contract-${++counter}@example.test>`;
          await append(await buildRawEmail({ from: { name: 'Cust', address: `cust${counter}@example.test` }, to: 'support@acme.test', subject: `Help ${counter}`, text: event.text, messageId }));
          return messageId;
        }
        if (event.type === 'echo') {
          // Our own reply lands in the watched mailbox (a CC or a copy): the adapter must not take it in.
          const copy = smtp.received.find((m) => m.raw.includes(event.sent.platformMessageId.slice(1, -1)));
          if (copy) await append(copy.raw);
          return event.sent.platformMessageId;
        }
        throw new Error(`email has no ${event.type}`);
      },
      outboundFor: (envelope) => [
        { idempotencyKey: `e${++counter}`, channelId: 'ch-mail', kind: 'email', text: `Thanks for writing, we are on it (${counter})`, subject: envelope.subject, inReplyToExternalId: envelope.externalId, recipient: { platformId: envelope.author.platformId, email: envelope.author.email } },
      ],
      async sentTexts() {
        return Promise.all(smtp.received.map(async (m) => (await simpleParser(m.raw)).text ?? ''));
      },
      failNextSend(failure) {
        if (failure === 'rate-limit') {
          smtp.failNext(451, '4.7.1 Rate limited, try again in 90 seconds');
          return 90_000;
        }
        smtp.failNext(550, '5.1.1 Mailbox does not exist');
        return null;
      },
      permanentReason: /rejected the mail \(550\)/,
      close: async () => {
        await smtp.close();
        await dovecot.stop();
      },
    };
  });
} else {
  describe.skip('email (IMAP IDLE + SMTP) adapter contract: dovecot-imapd is not installed', () => {
    it('runs against Dovecot', () => undefined);
  });
}
