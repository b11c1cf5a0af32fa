import { EventEmitter } from 'node:events';

/** What changed, for live updates (SSE) and for waking workers in this process. */
export type DomainEvent =
  | { type: 'messages.ingested'; count: number }
  /** `clocksSynced`: the change was made by a stage that already brought the SLA clocks in line, in its own transaction. */
  | { type: 'conversations.changed'; conversationIds: string[]; clocksSynced?: boolean }
  | { type: 'outbox.enqueued' }
  /** The workspace's intent model changed (`train intents`): every process reloads its classifier. */
  | { type: 'classifier.changed' }
  /** Teammates @mentioned in an internal note; delivered only to their own event streams. */
  | { type: 'mention'; userIds: string[]; conversationId: string; noteId: string; byUserId: string; excerpt: string }
  | { type: 'presence'; conversationId: string; userId: string; state: 'viewing' | 'typing' | 'left' };

/** Where an event came from: `remote` when another process published it (PostgreSQL mode relays events). */
export interface EventMeta {
  remote: boolean;
}

export interface EventBus {
  publish(event: DomainEvent, meta?: EventMeta): void;
  /** Work that follows from an event (clock syncs, codes) belongs to the process that published it: check `meta.remote`. */
  subscribe(listener: (event: DomainEvent, meta: EventMeta) => void): () => void;
}

/** An event bus whose events also reach the other processes working on the same store (see db/*-event-relay.ts). */
export interface EventRelay {
  bus: EventBus;
  stop(): Promise<void>;
}

export const createEventBus = (): EventBus => {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    publish: (event, meta = { remote: false }) => {
      emitter.emit('event', event, meta);
    },
    subscribe: (listener) => {
      emitter.on('event', listener);
      return () => emitter.off('event', listener);
    },
  };
};
