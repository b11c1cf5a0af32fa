import type { AdapterFactory, ChannelAdapter } from '../port.js';
import { ConnectorError } from '../port.js';
import { parseChannelSettings } from '../shared/channel-config.js';
import { createSmtpSender } from '../email/smtp.js';
import { canFeedbackReply, feedbackConfigSchema, feedbackCredentialsSchema } from './settings.js';

export const feedbackCannotReply = 'This feedback form has no SMTP server and From address configured, so a reply cannot reach the customer. Contact them another way, or add smtp and fromAddress to the channel.';

/**
 * Feedback form: submissions arrive through Parley's hosted form (the feedback routes ingest them); replies go
 * back by email when the channel has SMTP settings, and are refused with a plain reason otherwise.
 */
export const createFeedbackAdapter = (channel: Parameters<AdapterFactory>[0]): ChannelAdapter => {
  const config = parseChannelSettings(feedbackConfigSchema, channel.config, `feedback form config for channel ${channel.id}`);
  const credentials = parseChannelSettings(feedbackCredentialsSchema, channel.credentials, `feedback form credentials for channel ${channel.id}`);
  const sender =
    config.smtp && config.fromAddress
      ? createSmtpSender({
          host: config.smtp.host,
          port: config.smtp.port,
          secure: config.smtp.secure ?? config.smtp.port === 465,
          ignoreTLS: config.smtp.ignoreTLS,
          user: credentials.smtpUser ?? null,
          password: credentials.smtpPassword ?? null,
          fromAddress: config.fromAddress,
          fromName: config.fromName ?? null,
          messageIdDomain: config.fromAddress.split('@')[1] ?? 'parley.invalid',
        })
      : null;
  return {
    platform: 'form',
    channelId: channel.id,
    async send(message) {
      if (!sender || !canFeedbackReply(config)) throw new ConnectorError(feedbackCannotReply, false, null, 'no_smtp');
      const address = message.recipient?.email ?? message.recipient?.platformId ?? '';
      if (!address.includes('@')) throw new ConnectorError('The customer left no email address on the form, so this reply cannot reach them', false, null, 'no_recipient');
      // A form submission is not a mail: the reply starts a thread instead of answering a Message-ID.
      return sender.send({ ...message, recipient: { platformId: address, email: address }, inReplyToExternalId: null, subject: message.subject ? `Re: ${message.subject.replace(/^re:\s*/i, '')}` : 'Your message to us' });
    },
    async test() {
      if (!sender) return { ok: false, detail: feedbackCannotReply };
      try {
        await sender.verify();
        return { ok: true, detail: `replies go out by email from ${config.fromAddress}` };
      } catch (error) {
        return { ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
    },
  };
};
