import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';

/** One message in a web chat channel's mailbox: Parley's own store is that channel's wire. */
export interface ChatEntry {
  id: string;
  channelId: string;
  visitorId: string;
  direction: 'in' | 'out';
  /** Visitor messages: `<visitorId>.<client message id>`; replies: derived from the outbox idempotency key. */
  externalId: string;
  text: string;
  displayName: string | null;
  pageUrl: string | null;
  createdAt: number;
}

/** Where visitors' messages wait for ingest and agents' replies wait for the visitor. */
export interface ChatMailbox {
  /** Idempotent on (channelId, externalId): a retried append returns the stored entry with `created: false`. */
  append(entry: Omit<ChatEntry, 'id'>): Promise<{ entry: ChatEntry; created: boolean }>;
  /** Visitor messages of a channel created at or after `fromMs`, oldest first. */
  inboundSince(channelId: string, fromMs: number, limit: number): Promise<ChatEntry[]>;
  /** Calls `listener` for every append to the channel made in this process; returns an unsubscribe. */
  watch(channelId: string, listener: (entry: ChatEntry) => void): () => void;
}

/** In-process notifications for a mailbox whose rows live elsewhere (the store): append → watchers. */
export const createChatNotifier = () => {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    notify: (entry: ChatEntry): void => {
      emitter.emit(entry.channelId, entry);
    },
    watch(channelId: string, listener: (entry: ChatEntry) => void): () => void {
      emitter.on(channelId, listener);
      return () => emitter.off(channelId, listener);
    },
  };
};

/** A mailbox held in memory: the adapter's contract test and single-process tools. */
export const createMemoryChatMailbox = (now: () => number = Date.now): ChatMailbox & { entries: ChatEntry[] } => {
  const entries: ChatEntry[] = [];
  const notifier = createChatNotifier();
  return {
    entries,
    async append(input) {
      const existing = entries.find((e) => e.channelId === input.channelId && e.externalId === input.externalId);
      if (existing) return { entry: existing, created: false };
      const entry = { ...input, id: randomUUID(), createdAt: input.createdAt || now() };
      entries.push(entry);
      notifier.notify(entry);
      return { entry, created: true };
    },
    inboundSince: async (channelId, fromMs, limit) => entries.filter((e) => e.channelId === channelId && e.direction === 'in' && e.createdAt >= fromMs).slice(0, limit),
    watch: notifier.watch,
  };
};
