import type { Kysely } from 'kysely';

/**
 * The trust scan reads messages in the order they were decided, from a cursor (impostor look-alikes, customers'
 * own data posted in public). Without an index that read was a scan of the whole messages table every few seconds.
 * No query looks messages up by the message they reply to (parents are found by their own external id), so that
 * index only cost every insert its upkeep.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.createIndex('messages_decided').on('messages').columns(['decided_at', 'id']).execute();
  await db.schema.dropIndex('messages_in_reply_to').ifExists().execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.createIndex('messages_in_reply_to').ifNotExists().on('messages').columns(['channel_id', 'in_reply_to']).execute();
  await db.schema.dropIndex('messages_decided').ifExists().execute();
};
