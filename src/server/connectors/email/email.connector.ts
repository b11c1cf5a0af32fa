import type { AdapterFactory, ChannelAdapter } from '../port.js';
import { asArray, asNumber, asRecord, asString } from '../shared/json.js';
import { checkImap, pollImap, streamImap } from './imap.js';
import type { ImapOptions } from './imap.js';
import { createSmtpSender } from './smtp.js';

export { mapParsedEmail, parseRawEmail, emailSkipReason } from './parse.js';
export { buildRawEmail, outboundMessageId } from './smtp.js';
export { normalizeMessageId, normalizeReferences, normalizeSubject, emailThreadKey, resolveEmailThread } from './threading.js';

/**
 * Config: `address` (our mailbox address), `fromName`, `messageIdDomain` (default: the address's domain), `otherAddresses` (string[]),
 * `imap: {host, port, secure, mailbox}`, `smtp: {host, port, secure, ignoreTLS}`, `idleDelayMs`, `reconnectBaseMs`.
 * Credentials: `user` and `password` for both, or `imapUser`/`imapPassword` and `smtpUser`/`smtpPassword`.
 */
export const createEmailAdapter: AdapterFactory = (channel): ChannelAdapter => {
  const { config, credentials } = channel;
  const address = (asString(config.address) ?? '').toLowerCase();
  const imap = asRecord(config.imap) ?? {};
  const smtp = asRecord(config.smtp) ?? {};
  const ownAddresses = [address, ...asArray(config.otherAddresses).map(asString).filter((a): a is string => a !== null), ...channel.ownAccountIds.filter((id) => id.includes('@'))];
  const sentIds = new Set<string>();
  const imapOptions: ImapOptions = {
    host: asString(imap.host) ?? '127.0.0.1',
    port: asNumber(imap.port) ?? 993,
    secure: imap.secure !== false,
    user: asString(credentials.imapUser) ?? asString(credentials.user) ?? address,
    password: asString(credentials.imapPassword) ?? asString(credentials.password) ?? '',
    mailbox: asString(imap.mailbox) ?? 'INBOX',
    channelId: channel.id,
    ownAddresses,
    sentIds,
    idleDelayMs: asNumber(config.idleDelayMs) ?? 15_000,
    reconnectBaseMs: asNumber(config.reconnectBaseMs) ?? 1000,
  };
  const smtpPort = asNumber(smtp.port) ?? 587;
  const sender = createSmtpSender({
    host: asString(smtp.host) ?? '127.0.0.1',
    port: smtpPort,
    secure: typeof smtp.secure === 'boolean' ? smtp.secure : smtpPort === 465,
    ignoreTLS: smtp.ignoreTLS === true,
    user: asString(credentials.smtpUser) ?? asString(credentials.user),
    password: asString(credentials.smtpPassword) ?? asString(credentials.password),
    fromAddress: address,
    fromName: asString(config.fromName),
    messageIdDomain: asString(config.messageIdDomain) ?? address.split('@')[1] ?? 'parley.invalid',
  }, (messageId) => sentIds.add(messageId));

  return {
    platform: 'email',
    channelId: channel.id,
    poll: (cursor) => pollImap(imapOptions, cursor),
    stream: (sink, cursor, signal) => streamImap(imapOptions, sink, cursor, signal),
    send: (message) => sender.send(message),
    async test() {
      try {
        await sender.verify();
        await checkImap(imapOptions);
        return { ok: true, detail: `IMAP and SMTP accepted ${address}` };
      } catch (error) {
        return { ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
    },
  };
};
