import { EventEmitter } from 'node:events';

/** What changed, for live updates (SSE) and for waking workers in this process. */
export type DomainEvent =
  | { type: 'messages.ingested'; count: number }
  | { type: 'conversations.changed'; conversationIds: string[] }
  | { type: 'outbox.enqueued' }
  /** Teammates @mentioned in an internal note; delivered only to their own event streams. */
  | { type: 'mention'; userIds: string[]; conversationId: string; noteId: string; byUserId: string; excerpt: string }
  | { type: 'presence'; conversationId: string; userId: string; state: 'viewing' | 'typing' | 'left' };

export interface EventBus {
  publish(event: DomainEvent): void;
  subscribe(listener: (event: DomainEvent) => void): () => void;
}

export const createEventBus = (): EventBus => {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    publish: (event) => {
      emitter.emit('event', event);
    },
    subscribe: (listener) => {
      emitter.on('event', listener);
      return () => emitter.off('event', listener);
    },
  };
};
