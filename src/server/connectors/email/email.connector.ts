import type { AdapterFactory, ChannelAdapter } from '../port.js';
import { ConnectorError } from '../port.js';
import { parseChannelSettings } from '../shared/channel-config.js';
import { checkImap, pollImap, streamImap } from './imap.js';
import type { ImapOptions } from './imap.js';
import { emailConfigSchema, emailCredentialsSchema } from './settings.js';
import { createSmtpSender } from './smtp.js';

export { mapParsedEmail, parseRawEmail, emailSkipReason } from './parse.js';
export { buildRawEmail, outboundMessageId } from './smtp.js';
export { normalizeMessageId, normalizeReferences, normalizeSubject, emailThreadKey, resolveEmailThread } from './threading.js';

/**
 * Config: `address` (our mailbox address), `fromName`, `messageIdDomain` (default: the address's domain), `otherAddresses` (string[]),
 * `imap: {host, port, secure, mailbox}`, optional `smtp: {host, port, secure, ignoreTLS}`, `idleDelayMs`, `reconnectBaseMs`.
 * Credentials: `user` and `password` for both, or `imapUser`/`imapPassword` and `smtpUser`/`smtpPassword`.
 */
export const createEmailAdapter: AdapterFactory = (channel): ChannelAdapter => {
  const config = parseChannelSettings(emailConfigSchema, channel.config, 'email config');
  const credentials = parseChannelSettings(emailCredentialsSchema, channel.credentials, 'email credentials');
  const address = config.address.toLowerCase();
  const ownAddresses = [address, ...config.otherAddresses, ...channel.ownAccountIds.filter((id) => id.includes('@'))];
  const sentIds = new Set<string>();
  const imapOptions: ImapOptions = {
    host: config.imap.host,
    port: config.imap.port,
    secure: config.imap.secure,
    user: credentials.imapUser ?? credentials.user ?? address,
    password: credentials.imapPassword ?? credentials.password ?? '',
    mailbox: config.imap.mailbox,
    channelId: channel.id,
    ownAddresses,
    sentIds,
    idleDelayMs: config.idleDelayMs,
    batchSize: config.batchSize,
    reconnectBaseMs: config.reconnectBaseMs,
  };
  const smtp = config.smtp;
  const sender = smtp
    ? createSmtpSender(
        {
          host: smtp.host,
          port: smtp.port,
          secure: smtp.secure ?? smtp.port === 465,
          ignoreTLS: smtp.ignoreTLS,
          user: credentials.smtpUser ?? credentials.user ?? null,
          password: credentials.smtpPassword ?? credentials.password ?? null,
          fromAddress: address,
          fromName: config.fromName ?? null,
          messageIdDomain: config.messageIdDomain ?? address.split('@')[1] ?? 'parley.invalid',
        },
        (messageId) => sentIds.add(messageId),
      )
    : null;
  const noSmtp = () => new ConnectorError('This email channel has no SMTP server configured, so it cannot send', false, null, 'no_smtp');

  return {
    platform: 'email',
    channelId: channel.id,
    poll: (cursor) => pollImap(imapOptions, cursor),
    stream: (sink, cursor, signal) => streamImap(imapOptions, sink, cursor, signal),
    async send(message) {
      if (!sender) throw noSmtp();
      return sender.send(message);
    },
    async test() {
      try {
        if (sender) await sender.verify();
        await checkImap(imapOptions);
        return { ok: true, detail: `IMAP${sender ? ' and SMTP' : ''} accepted ${address}` };
      } catch (error) {
        return { ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
    },
  };
};
