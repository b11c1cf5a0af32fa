import type { Platform } from '../../shared/envelope.js';
import type { AdapterContext, AdapterFactory, ChannelAdapter } from './port.js';
import { createXAdapter } from './x/x.connector.js';
import { createFacebookAdapter } from './meta/facebook.connector.js';
import { createInstagramAdapter } from './meta/instagram.connector.js';
import { createWhatsAppAdapter } from './whatsapp/whatsapp.connector.js';
import { createRedditAdapter } from './reddit/reddit.connector.js';
import { createMastodonAdapter } from './mastodon/mastodon.connector.js';
import { createBlueskyAdapter } from './bluesky/bluesky.connector.js';
import { createRssAdapter } from './rss/rss.connector.js';
import { createEmailAdapter } from './email/email.connector.js';
import { createWebchatAdapter } from './webchat/webchat.connector.js';
import { createFeedbackAdapter } from './feedback/feedback.connector.js';
import { createPhoneAdapter } from './phone/phone.connector.js';

/** One factory per platform Parley connects to; app.ts builds each channel's adapter through it. */
export const adapterFactories: Partial<Record<Platform, AdapterFactory>> = {
  x: createXAdapter,
  facebook: createFacebookAdapter,
  instagram: createInstagramAdapter,
  whatsapp: createWhatsAppAdapter,
  reddit: createRedditAdapter,
  mastodon: createMastodonAdapter,
  bluesky: createBlueskyAdapter,
  rss: createRssAdapter,
  email: createEmailAdapter,
  chat: createWebchatAdapter,
  form: createFeedbackAdapter,
  phone: createPhoneAdapter,
};

/** Build a channel's adapter, or throw when Parley has no adapter for its platform. */
export function createChannelAdapter(channel: Parameters<AdapterFactory>[0], context?: AdapterContext): ChannelAdapter {
  const factory = adapterFactories[channel.platform];
  if (!factory) throw new Error(`no channel adapter for platform ${channel.platform}`);
  return factory(channel, context);
}
