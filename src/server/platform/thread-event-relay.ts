import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import type { DomainEvent, EventBus } from './events.js';

export interface ThreadEventRelay {
  bus: EventBus;
  stop(): void;
}

/**
 * Live updates between the threads of one process on the embedded store (the web thread and the pipeline
 * thread): every event published here is also posted on a BroadcastChannel named after the store, and events
 * the other threads post arrive as `remote`, exactly as the PostgreSQL relay delivers other processes' events.
 */
export const createThreadEventRelay = (options: { name: string; local: EventBus }): ThreadEventRelay => {
  const { local } = options;
  const origin = randomUUID();
  const channel = new BroadcastChannel(`parley-events:${options.name}`);
  // A relay must never keep a finished process alive.
  channel.unref();
  let stopped = false;
  channel.onmessage = (message: unknown) => {
    const data = (message as { data?: { origin?: string; event?: DomainEvent } }).data;
    if (!stopped && data?.event && data.origin !== origin) local.publish(data.event, { remote: true });
  };
  return {
    bus: {
      publish(event, meta) {
        local.publish(event, meta);
        if (meta?.remote || stopped) return;
        channel.postMessage({ origin, event });
      },
      subscribe: (fn) => local.subscribe(fn),
    },
    stop() {
      stopped = true;
      channel.close();
    },
  };
};
