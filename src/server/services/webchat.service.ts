import { createChatNotifier, type ChatEntry, type ChatMailbox } from '../connectors/webchat/mailbox.js';
import { webchatConfigSchema, webchatCredentialsSchema, type WebchatConfig } from '../connectors/webchat/settings.js';
import { issueVisitorToken, verifyVisitorToken, visitorTokenKey } from '../connectors/webchat/visitor-token.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { Channel } from '../repositories/channels.repository.js';
import type { ChatRepository } from '../repositories/chat.repository.js';
import type { ChannelsService } from './channels.service.js';

/**
 * The chat mailbox over the store, with wake-ups for the stream and for open widgets: at once for appends made in
 * this process, and within `pollMs` for appends made by another process (one query per process and interval, for
 * every watched channel together, only while something watches). Watchers may see an entry twice; they drop repeats.
 */
export const createStoredChatMailbox = (chat: ChatRepository, clock: Clock, options: { pollMs?: number } = {}): ChatMailbox & { stop(): void } => {
  const notifier = createChatNotifier();
  const pollMs = options.pollMs ?? 1000;
  const watched = new Map<string, number>();
  // Appends may commit a little out of order across processes: look back this far and skip what was announced.
  const overlapMs = 5_000;
  const announced = new Map<string, number>();
  let since = clock.now();
  let timer: NodeJS.Timeout | null = null;

  const announce = (entry: ChatEntry): void => {
    if (announced.has(entry.id)) return;
    announced.set(entry.id, entry.createdAt);
    notifier.notify(entry);
  };

  const poll = async (): Promise<void> => {
    const from = since - overlapMs;
    const entries = await chat.recent([...watched.keys()], from, 1000);
    for (const entry of entries) {
      announce(entry);
      since = Math.max(since, entry.createdAt);
    }
    since = Math.max(since, clock.now() - overlapMs);
    for (const [id, at] of announced) if (at < since - 2 * overlapMs) announced.delete(id);
  };

  const schedule = (): void => {
    if (timer || watched.size === 0) return;
    timer = setTimeout(() => {
      void poll()
        .catch(() => undefined)
        .finally(() => {
          timer = null;
          schedule();
        });
    }, pollMs);
    timer.unref();
  };

  return {
    async append(input) {
      const result = await chat.append({ ...input, id: newId(), createdAt: input.createdAt || clock.now() });
      if (result.created) announce(result.entry);
      return result;
    },
    inboundSince: (channelId, fromMs, limit) => chat.inboundSince(channelId, fromMs, limit),
    watch(channelId, listener) {
      if (watched.size === 0) since = clock.now();
      watched.set(channelId, (watched.get(channelId) ?? 0) + 1);
      const stop = notifier.watch(channelId, listener);
      schedule();
      return () => {
        stop();
        const left = (watched.get(channelId) ?? 1) - 1;
        if (left > 0) watched.set(channelId, left);
        else watched.delete(channelId);
      };
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
};

export interface ChatView {
  id: string;
  from: 'visitor' | 'agent';
  text: string;
  at: number;
}

const view = (entry: ChatEntry): ChatView => ({ id: entry.id, from: entry.direction === 'in' ? 'visitor' : 'agent', text: entry.text, at: entry.createdAt });

interface LiveChannel {
  channel: Channel;
  config: WebchatConfig;
  key: Buffer;
}

/**
 * The visitor's side of web chat: sessions proven by a signed visitor token, origin checks against the channel's
 * allow-list, size and rate limits, messages into the mailbox (the adapter streams them into the pipeline) and
 * the session's history and live replies out.
 */
export const createWebchatService = (deps: { chat: ChatRepository; mailbox: ChatMailbox; channels: ChannelsService; clock: Clock; appSecret: Buffer }) => {
  const { chat, mailbox, channels, clock } = deps;
  // Per-process sliding windows: a visitor spread over several web processes gets each process's allowance.
  const recent = new Map<string, number[]>();

  const live = async (channelId: string): Promise<LiveChannel> => {
    const channel = await channels.get(channelId).catch(() => null);
    if (!channel || channel.platform !== 'chat') throw new AppError('channel_not_found', `no web chat channel ${channelId}`);
    const config = webchatConfigSchema.parse(channel.config);
    const credentials = webchatCredentialsSchema.safeParse(channels.credentialsOf(channel));
    const secret = credentials.success ? credentials.data.visitorTokenSecret : undefined;
    return { channel, config, key: visitorTokenKey(secret, deps.appSecret, channel.id) };
  };

  const allowedOrigin = (config: WebchatConfig, origin: string | undefined): boolean => Boolean(origin && config.allowedOrigins.some((o) => o.toLowerCase() === origin.toLowerCase()));

  const visitorOf = (c: LiveChannel, token: string | undefined): string => {
    const visitorId = verifyVisitorToken(c.key, c.channel.id, token);
    if (!visitorId) throw new AppError('unauthenticated', 'missing or invalid visitor token; start a session first');
    return visitorId;
  };

  const checkRate = (c: LiveChannel, visitorId: string): void => {
    const now = clock.now();
    const key = `${c.channel.id}\u0000${visitorId}`;
    const times = (recent.get(key) ?? []).filter((t) => t > now - 60_000);
    if (times.length >= c.config.messagesPerMinute) {
      const retryAfterSeconds = Math.max(1, Math.ceil(((times[0] ?? now) + 60_000 - now) / 1000));
      throw new AppError('rate_limited', `at most ${c.config.messagesPerMinute} messages a minute; try again in ${retryAfterSeconds}s`, 'text', { retryAfterSeconds });
    }
    times.push(now);
    recent.set(key, times);
    if (recent.size > 50_000) for (const [k, v] of recent) if ((v.at(-1) ?? 0) < now - 60_000) recent.delete(k);
  };

  return {
    /** The channel's widget settings when `origin` may embed it; throws `forbidden` otherwise. */
    async widgetFor(channelId: string, origin: string | undefined) {
      const c = await live(channelId);
      if (!allowedOrigin(c.config, origin)) throw new AppError('forbidden', `origin ${origin ?? '(none)'} may not use this chat; add it to the channel's allowedOrigins`);
      return c;
    },

    /** Resumes the session a valid token proves, or starts a new visitor; returns the token and the history. */
    async startSession(c: LiveChannel, token: string | undefined, limit = 100) {
      const existing = verifyVisitorToken(c.key, c.channel.id, token);
      const session = existing ? { token: token as string, visitorId: existing } : issueVisitorToken(c.key, c.channel.id);
      const history = existing ? await chat.history(c.channel.id, existing, { limit }) : [];
      return {
        token: session.token,
        visitorId: session.visitorId,
        messages: history.map(view),
        settings: { title: c.config.title, greeting: c.config.greeting, maxMessageChars: c.config.maxMessageChars, open: c.channel.status === 'active' },
      };
    },

    visitorOf,

    /** A visitor's message into the mailbox; idempotent per client message id so a retry after a lost answer is harmless. */
    async post(c: LiveChannel, visitorId: string, input: { clientId: string; text: string; name?: string | undefined; pageUrl?: string | undefined }): Promise<ChatView> {
      if (c.channel.status !== 'active') throw new AppError('channel_paused', 'this chat is closed right now; please try again later');
      const text = input.text.trim();
      if (!text) throw new AppError('validation_failed', 'a message needs text', 'text');
      if (text.length > c.config.maxMessageChars) throw new AppError('payload_too_large', `a message may have at most ${c.config.maxMessageChars} characters`, 'text');
      checkRate(c, visitorId);
      const pageUrl = input.pageUrl && /^https?:\/\//.test(input.pageUrl) ? input.pageUrl.slice(0, 2000) : null;
      const { entry } = await mailbox.append({ channelId: c.channel.id, visitorId, direction: 'in', externalId: `${visitorId}.${input.clientId}`, text, displayName: input.name?.trim().slice(0, 120) || null, pageUrl, createdAt: clock.now() });
      return view(entry);
    },

    /** The session after `afterMs` (inclusive, the widget drops what it already shows). */
    history: async (c: LiveChannel, visitorId: string, afterMs: number | undefined, limit = 200): Promise<ChatView[]> => (await chat.history(c.channel.id, visitorId, { ...(afterMs !== undefined ? { afterMs } : {}), limit })).map(view),

    /** Live entries of one visitor appended in this process. */
    watch(c: LiveChannel, visitorId: string, listener: (message: ChatView) => void): () => void {
      return mailbox.watch(c.channel.id, (entry) => {
        if (entry.visitorId === visitorId) listener(view(entry));
      });
    },
  };
};

export type WebchatService = ReturnType<typeof createWebchatService>;
export type WebchatChannel = LiveChannel;
