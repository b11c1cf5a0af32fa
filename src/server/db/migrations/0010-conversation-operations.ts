import type { Kysely } from 'kysely';

/**
 * Hand-made conversation changes: snooze (a wake-up time on the row), merge (the absorbed conversation keeps a
 * pointer to its target) and the operations log that makes merges and splits undoable.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('conversations').addColumn('snoozed_until', 'bigint').execute();
  await db.schema.alterTable('conversations').addColumn('merged_into_id', 'text').execute();
  await db.schema
    .createTable('conversation_operations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('message_ids', 'text', (c) => c.notNull())
    .addColumn('before', 'text', (c) => c.notNull())
    .addColumn('after', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('undone_at', 'bigint')
    .addColumn('undone_by', 'text')
    .execute();
  await db.schema.createIndex('conversation_operations_source').on('conversation_operations').columns(['source_id', 'created_at']).execute();
  await db.schema.createIndex('conversation_operations_target').on('conversation_operations').columns(['target_id', 'created_at']).execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.dropTable('conversation_operations').ifExists().execute();
  await db.schema.alterTable('conversations').dropColumn('merged_into_id').execute();
  await db.schema.alterTable('conversations').dropColumn('snoozed_until').execute();
};
