import type { Kysely } from 'kysely';

/**
 * The trust scan reads messages in the order they were decided, from a cursor (impostor look-alikes, customers'
 * own data posted in public). Without an index that read was a scan of the whole messages table every few seconds.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.createIndex('messages_decided').on('messages').columns(['decided_at', 'id']).execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.dropIndex('messages_decided').ifExists().execute();
};
