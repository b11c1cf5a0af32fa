import type { Kysely } from 'kysely';

/** Agents' corrections of classifier labels: training data for the next `parley train`. */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('label_corrections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('previous', 'text')
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('model_version', 'text')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('label_corrections_field').on('label_corrections').columns(['field', 'created_at']).execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.dropTable('label_corrections').ifExists().execute();
};
