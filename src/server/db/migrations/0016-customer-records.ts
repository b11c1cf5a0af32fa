import { sql, type Kysely } from 'kysely';

/** Notes agents keep on a customer (not on one conversation), and the CRM imports that filled customers' fields. */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('customer_notes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('customer_notes_customer').on('customer_notes').columns(['customer_id', 'created_at']).execute();
  // CRM rows find customers by address regardless of case.
  await db.schema.createIndex('identities_email_lower').on('identities').expression(sql`lower(email)`).execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.dropIndex('identities_email_lower').ifExists().execute();
  await db.schema.dropTable('customer_notes').ifExists().execute();
};
