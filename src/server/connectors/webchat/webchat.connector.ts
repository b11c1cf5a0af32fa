import { createHash } from 'node:crypto';
import type { Envelope } from '../../../shared/envelope.js';
import type { AdapterContext, AdapterFactory, ChannelAdapter, Cursor, StreamSink } from '../port.js';
import { ConnectorError } from '../port.js';
import { parseChannelSettings } from '../shared/channel-config.js';
import type { ChatEntry, ChatMailbox } from './mailbox.js';
import { webchatConfigSchema, webchatCredentialsSchema } from './settings.js';
import { refuseMedia } from '../shared/media.js';

/** Rows another process wrote may commit a little out of order: the stream re-reads this far back and skips what it delivered. */
const overlapMs = 5_000;

export const chatThreadKey = (visitorId: string): string => `chat:${visitorId}`;

/** A visitor's message as the pipeline sees it: private, one conversation per chat session (the visitor). */
export const chatEnvelope = (entry: ChatEntry): Envelope => ({
  channelId: entry.channelId,
  externalId: entry.externalId,
  kind: 'chat',
  visibility: 'private',
  author: { platformId: entry.visitorId, handle: null, displayName: entry.displayName ?? 'Website visitor' },
  text: entry.text,
  attachments: [],
  threadKey: chatThreadKey(entry.visitorId),
  url: entry.pageUrl,
  createdAt: new Date(entry.createdAt).toISOString(),
});

interface StreamPosition {
  /** Newest createdAt delivered. */
  t: number;
  /** Ids delivered within the overlap before `t`. */
  ids: string[];
}

const readCursor = (cursor: Cursor): StreamPosition => {
  if (!cursor) return { t: 0, ids: [] };
  try {
    const value = JSON.parse(cursor) as Partial<StreamPosition>;
    return { t: typeof value.t === 'number' ? value.t : 0, ids: Array.isArray(value.ids) ? value.ids.filter((id): id is string => typeof id === 'string') : [] };
  } catch {
    return { t: 0, ids: [] };
  }
};

const waitForMail = (mailbox: ChatMailbox, channelId: string, ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    let stop = (): void => undefined;
    const done = () => {
      clearTimeout(timer);
      stop();
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stop = mailbox.watch(channelId, (entry) => {
      if (entry.direction === 'in') done();
    });
    signal.addEventListener('abort', done, { once: true });
  });

/** Visitor messages from the mailbox into the pipeline, resumable from the saved cursor. */
const streamMailbox = async (mailbox: ChatMailbox, channelId: string, pollMs: number, sink: StreamSink, cursor: Cursor, signal: AbortSignal): Promise<void> => {
  const position = readCursor(cursor);
  const delivered = new Map<string, number>(position.ids.map((id) => [id, position.t]));
  let newest = position.t;
  sink.health({ type: 'connected' });
  while (!signal.aborted) {
    const rows = await mailbox.inboundSince(channelId, Math.max(0, newest - overlapMs), 500);
    const fresh = rows.filter((row) => !delivered.has(row.externalId));
    if (fresh.length > 0) {
      for (const row of fresh) {
        delivered.set(row.externalId, row.createdAt);
        newest = Math.max(newest, row.createdAt);
      }
      for (const [id, at] of delivered) if (at < newest - overlapMs) delivered.delete(id);
      await sink.deliver(fresh.map(chatEnvelope), [], JSON.stringify({ t: newest, ids: [...delivered.keys()] }));
      if (rows.length === 500) continue;
    }
    await waitForMail(mailbox, channelId, pollMs, signal);
  }
  sink.health({ type: 'disconnected' });
};

/**
 * Web chat: visitors write through Parley's widget endpoints into the channel's mailbox; this adapter streams
 * those messages into the pipeline and delivers agents' replies back into the mailbox, where the visitor's open
 * widget receives them live. Replies are idempotent per outbox key.
 */
export const createWebchatAdapter = (channel: Parameters<AdapterFactory>[0], context?: AdapterContext): ChannelAdapter => {
  const config = parseChannelSettings(webchatConfigSchema, channel.config, `web chat config for channel ${channel.id}`);
  parseChannelSettings(webchatCredentialsSchema, channel.credentials, `web chat credentials for channel ${channel.id}`);
  const mailbox = context?.chatMailbox;
  const noMailbox = () => new ConnectorError('This process has no chat mailbox; web chat runs only inside the Parley server', false, null, 'no_mailbox');
  return {
    platform: 'chat',
    channelId: channel.id,
    stream(sink, cursor, signal) {
      if (!mailbox) return Promise.reject(noMailbox());
      return streamMailbox(mailbox, channel.id, config.pollMs, sink, cursor, signal);
    },
    async send(message) {
      refuseMedia(message, 'Web chat');
      if (!mailbox) throw noMailbox();
      const fromThread = message.threadKey?.startsWith('chat:') ? message.threadKey.slice(5) : null;
      const visitorId = message.recipient?.platformId ?? fromThread;
      if (!visitorId) throw new ConnectorError('This chat reply names no visitor, so it cannot be delivered', false, null, 'no_recipient');
      const externalId = `reply.${createHash('sha256').update(message.idempotencyKey).digest('base64url').slice(0, 32)}`;
      try {
        const { entry } = await mailbox.append({ channelId: channel.id, visitorId, direction: 'out', externalId, text: message.text, displayName: null, pageUrl: null, createdAt: Date.now() });
        return { platformMessageId: entry.externalId, url: null };
      } catch (error) {
        throw new ConnectorError(`Could not store the chat reply: ${error instanceof Error ? error.message : String(error)}`, true, 5_000, 'store');
      }
    },
    test: async () =>
      config.allowedOrigins.length > 0
        ? { ok: true, detail: `the widget may be embedded on ${config.allowedOrigins.join(', ')}` }
        : { ok: false, detail: 'no allowedOrigins: the widget is refused on every site until you list yours' },
  };
};
