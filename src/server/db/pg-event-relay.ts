import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { DomainEvent, EventBus, EventRelay } from '../platform/events.js';
import type { Logger } from '../platform/logger.js';

const CHANNEL = 'parley_events';
/** PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more; long id lists are sent in parts. */
const MAX_PAYLOAD = 7000;

interface Envelope {
  /** The database schema the sender works in: NOTIFY is database-wide, schemas share it. */
  space: string;
  origin: string;
  event: DomainEvent;
}

/** Splits an event whose JSON would not fit one notification (only id lists can grow). */
export const splitForNotify = (event: DomainEvent, limit = MAX_PAYLOAD): DomainEvent[] => {
  if (JSON.stringify(event).length <= limit) return [event];
  if (event.type === 'conversations.changed' && event.conversationIds.length > 1) {
    const half = Math.ceil(event.conversationIds.length / 2);
    return [
      ...splitForNotify({ ...event, conversationIds: event.conversationIds.slice(0, half) }, limit),
      ...splitForNotify({ ...event, conversationIds: event.conversationIds.slice(half) }, limit),
    ];
  }
  if (event.type === 'mention' && event.excerpt.length > 200) return splitForNotify({ ...event, excerpt: `${event.excerpt.slice(0, 200)}…` }, limit);
  return [];
};

/**
 * Live updates across processes in PostgreSQL mode: every event published here is also sent with NOTIFY, and
 * events other processes send arrive through LISTEN on a dedicated connection, so an agent's browser connected to
 * one web process sees what a worker or another web process did. Delivery is best effort, as live updates are:
 * the store stays the truth and the SPA refetches what changed. A lost connection is re-established.
 */
export const createPgEventRelay = async (options: { url: string; local: EventBus; logger: Logger }): Promise<EventRelay> => {
  const { url, local, logger } = options;
  const origin = randomUUID();
  let stopped = false;
  let listener: pg.Client | null = null;
  const sender = new pg.Pool({ connectionString: url, max: 1 });
  sender.on('error', (err) => logger.warn({ err: err.message }, 'event relay sender connection failed'));
  const space = String((await sender.query<{ s: string }>('select current_schema() as s')).rows[0]?.s ?? 'public');

  const connect = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: url });
    client.on('notification', (n) => {
      if (n.channel !== CHANNEL || !n.payload) return;
      try {
        const envelope = JSON.parse(n.payload) as Envelope;
        if (envelope.space === space && envelope.origin !== origin) local.publish(envelope.event, { remote: true });
      } catch (err) {
        logger.warn({ err: String(err) }, 'ignored an unreadable event notification');
      }
    });
    client.on('error', (err) => {
      logger.warn({ err: err.message }, 'event relay listener lost its connection; reconnecting');
      if (listener === client) listener = null;
      void client.end().catch(() => undefined);
      if (!stopped) setTimeout(() => void connect().catch((e: unknown) => logger.warn({ err: String(e) }, 'event relay reconnect failed')), 1000).unref();
    });
    await client.connect();
    await client.query(`listen ${CHANNEL}`);
    if (stopped) await client.end();
    else listener = client;
  };
  await connect();

  const bus: EventBus = {
    publish(event, meta) {
      local.publish(event, meta);
      if (meta?.remote) return;
      if (stopped) return;
      for (const part of splitForNotify(event)) {
        const payload = JSON.stringify({ space, origin, event: part } satisfies Envelope);
        sender.query('select pg_notify($1, $2)', [CHANNEL, payload]).catch((err: Error) => logger.warn({ err: err.message }, 'event notify failed'));
      }
    },
    subscribe: (fn) => local.subscribe(fn),
  };

  return {
    bus,
    async stop() {
      stopped = true;
      const client = listener;
      listener = null;
      await client?.end().catch(() => undefined);
      await sender.end().catch(() => undefined);
    },
  };
};
