import { feedbackEnvelope } from '../connectors/feedback/map.js';
import { canFeedbackReply, feedbackConfigSchema, type FeedbackConfig } from '../connectors/feedback/settings.js';
import type { Ingest } from '../pipeline/ingest.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { Channel } from '../repositories/channels.repository.js';
import type { ChannelsService } from './channels.service.js';

export interface FeedbackInput {
  name?: string | undefined;
  email?: string | undefined;
  topic: string;
  message: string;
  pageUrl?: string | undefined;
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The hosted feedback form: the channel's settings for the page, and submissions into the pipeline as private Envelopes. */
export const createFeedbackService = (deps: { channels: ChannelsService; ingest: Ingest; clock: Clock }) => {
  const { channels, ingest, clock } = deps;

  const formFor = async (channelId: string): Promise<{ channel: Channel; config: FeedbackConfig; canReply: boolean }> => {
    const channel = await channels.get(channelId).catch(() => null);
    if (!channel || channel.platform !== 'form') throw new AppError('channel_not_found', `no feedback form ${channelId}`);
    const config = feedbackConfigSchema.parse(channel.config);
    return { channel, config, canReply: canFeedbackReply(config) };
  };

  return {
    formFor,

    /** Validates like the page does (each problem names its field), then ingests; resolves once the message is durable. */
    async submit(channelId: string, input: FeedbackInput): Promise<{ id: string; canReply: boolean; replyTo: string | null }> {
      const { channel, config, canReply } = await formFor(channelId);
      if (channel.status !== 'active') throw new AppError('channel_paused', 'this form is closed right now; please try again later');
      const message = input.message.trim();
      const email = input.email?.trim() || null;
      if (!message) throw new AppError('validation_failed', 'please write a message', 'message');
      if (message.length > config.maxMessageChars) throw new AppError('payload_too_large', `a message may have at most ${config.maxMessageChars} characters`, 'message');
      if (!config.topics.includes(input.topic)) throw new AppError('validation_failed', `topic must be one of: ${config.topics.join(', ')}`, 'topic');
      if (email && (email.length > 254 || !emailPattern.test(email))) throw new AppError('validation_failed', 'that email address does not look right', 'email');
      const id = newId();
      const envelope = feedbackEnvelope({ channelId, submissionId: id, name: input.name?.trim().slice(0, 120) || null, email, topic: input.topic, message, pageUrl: input.pageUrl && /^https?:\/\//.test(input.pageUrl) ? input.pageUrl.slice(0, 2000) : null, createdAt: clock.now() });
      await ingest([envelope]);
      return { id: envelope.externalId, canReply: canReply && email !== null, replyTo: canReply ? email : null };
    },
  };
};

export type FeedbackService = ReturnType<typeof createFeedbackService>;
