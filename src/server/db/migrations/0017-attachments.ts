import { SqliteAdapter, type Kysely } from 'kysely';

const isSqlite = (db: Kysely<unknown>): boolean => db.getExecutor().adapter instanceof SqliteAdapter;

/**
 * Files agents attach to replies. The bytes live in the store (blob on SQLite, bytea on PostgreSQL) so every web and
 * worker process of a PostgreSQL deployment reads the same file; `outbox_id` is set once a reply takes the file.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('attachments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('bytes', isSqlite(db) ? 'blob' : 'bytea', (c) => c.notNull())
    .addColumn('outbox_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  // The purge looks for files no reply took, oldest first.
  await db.schema.createIndex('attachments_unused').on('attachments').columns(['outbox_id', 'created_at']).execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.dropTable('attachments').ifExists().execute();
};
