import type { Kysely } from 'kysely';

/** Trust tables: private hand-off links, proof codes of official replies, impostor alerts, retention, erasure tombstones, conversation flags. */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  const s = db.schema;
  await s.createTable('private_links').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('code_hash', 'text')
    .addColumn('code_expires_at', 'bigint')
    .addColumn('code_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('used_at', 'bigint')
    .addColumn('session_hash', 'text', (c) => c.unique())
    .addColumn('session_expires_at', 'bigint')
    .addColumn('identity_id', 'text')
    .execute();
  await s.createIndex('private_links_conversation').on('private_links').column('conversation_id').execute();

  await s.createTable('official_replies').addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('message_id', 'text', (c) => c.notNull().unique())
    .addColumn('conversation_id', 'text')
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await s.createTable('impostor_alerts').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('message_id', 'text', (c) => c.notNull().unique())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text')
    .addColumn('victim_message_id', 'text')
    .addColumn('author_platform_id', 'text', (c) => c.notNull())
    .addColumn('author_handle', 'text')
    .addColumn('author_display_name', 'text')
    .addColumn('score', 'double precision', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('warning_message_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex('impostor_alerts_recent').on('impostor_alerts').columns(['created_at', 'id']).execute();

  await s.createTable('retention_policies').addColumn('channel_id', 'text', (c) => c.primaryKey())
    .addColumn('days', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await s.createTable('customer_tombstones').addColumn('customer_id', 'text', (c) => c.primaryKey())
    .addColumn('erased_at', 'bigint', (c) => c.notNull())
    .addColumn('erased_by', 'text')
    .addColumn('messages', 'integer', (c) => c.notNull())
    .addColumn('identities', 'integer', (c) => c.notNull())
    .execute();

  await s.createTable('conversation_flags').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex('conversation_flags_conversation').on('conversation_flags').column('conversation_id').execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  for (const table of ['conversation_flags', 'customer_tombstones', 'retention_policies', 'impostor_alerts', 'official_replies', 'private_links']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
};
