import type { Kysely } from 'kysely';

/** Listening rules: a brand's queries (listening syntax) that pull posts not addressed to it into Parley. */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('listening_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // Null: the rule applies to every brand's channels.
    .addColumn('brand_id', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('listening_rules_brand').on('listening_rules').columns(['brand_id', 'enabled']).execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.dropTable('listening_rules').execute();
};
