import type { Kysely } from 'kysely';

/**
 * Web chat mailboxes (visitor messages waiting for ingest, replies waiting for the visitor, and each session's
 * history), and the author's phone number on messages so the identity graph can link callers.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('chat_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('visitor_id', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('page_url', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('chat_messages_external').unique().on('chat_messages').columns(['channel_id', 'external_id']).execute();
  await db.schema.createIndex('chat_messages_visitor').on('chat_messages').columns(['channel_id', 'visitor_id', 'created_at']).execute();
  await db.schema.createIndex('chat_messages_inbound').on('chat_messages').columns(['channel_id', 'direction', 'created_at']).execute();
  await db.schema.alterTable('messages').addColumn('author_phone', 'text').execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('messages').dropColumn('author_phone').execute();
  await db.schema.dropTable('chat_messages').ifExists().execute();
};
