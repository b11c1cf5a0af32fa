import { createEventBus, type EventRelay } from '../platform/events.js';
import type { Logger } from '../platform/logger.js';
import { createLocalEventRelay } from './local-event-relay.js';
import { createPgEventRelay } from './pg-event-relay.js';

/**
 * The relay that carries live updates between the processes of one store: LISTEN/NOTIFY on PostgreSQL, sockets
 * beside each other on the embedded store; null for an in-memory database (nothing else can open it).
 */
export const openEventRelay = async (store: { databaseUrl: string | null; sqliteFile: string | null }, logger: Logger): Promise<EventRelay | null> => {
  if (store.databaseUrl) return createPgEventRelay({ url: store.databaseUrl, local: createEventBus(), logger });
  if (store.sqliteFile) return createLocalEventRelay({ databaseFile: store.sqliteFile, local: createEventBus(), logger });
  return null;
};
