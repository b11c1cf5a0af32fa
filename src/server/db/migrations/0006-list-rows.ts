import type { Kysely } from 'kysely';

/** The inbox's queue views (service, marketing, supervisor, spam) get their own index in list order. */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.createIndex('conversations_queue_recent').on('conversations').columns(['queue', 'last_message_at', 'id']).execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.dropIndex('conversations_queue_recent').ifExists().execute();
};
