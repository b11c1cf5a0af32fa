import type { Kysely } from 'kysely';

/**
 * Correlate stage state: incidents with their one-response texts, the incident detector's durable
 * state (one row, versioned so several workers and the services notice each other's writes),
 * merge suggestions between customers, and merge records that make every merge and split undoable.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  const s = db.schema;
  await s.createTable('incidents').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('terms', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('trigger_terms', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('window_from', 'bigint', (c) => c.notNull())
    .addColumn('window_to', 'bigint', (c) => c.notNull())
    .addColumn('confidence', 'double precision', (c) => c.notNull())
    .addColumn('member_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('channel_counts', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('platform_counts', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('acknowledgement', 'text')
    .addColumn('resolution', 'text')
    .addColumn('merged_into', 'text')
    .addColumn('suspected_at', 'bigint', (c) => c.notNull())
    .addColumn('confirmed_at', 'bigint')
    .addColumn('confirmed_by', 'text')
    .addColumn('acknowledged_at', 'bigint')
    .addColumn('resolved_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex('incidents_status_recent').on('incidents').columns(['status', 'suspected_at', 'id']).execute();
  await s.createIndex('messages_incident').on('messages').columns(['incident_id', 'created_at']).execute();
  await s.createIndex('conversations_incident').on('conversations').column('incident_id').execute();

  await s.createTable('incident_detector').addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('revision', 'bigint', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await s.createTable('merge_suggestions').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('other_customer_id', 'text', (c) => c.notNull())
    .addColumn('score', 'double precision', (c) => c.notNull())
    .addColumn('reasons', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('merge_id', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('merge_suggestions_pair', ['customer_id', 'other_customer_id'])
    .execute();
  await s.createIndex('merge_suggestions_other').on('merge_suggestions').column('other_customer_id').execute();

  await s.createTable('merges').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('moved', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('undone_at', 'bigint')
    .addColumn('undone_by', 'text')
    .execute();
  await s.createIndex('merges_target').on('merges').columns(['target_id', 'created_at']).execute();
  await s.createIndex('identities_email').on('identities').column('email').execute();
  await s.createIndex('identities_phone').on('identities').column('phone').execute();
  await s.createIndex('identities_display_name').on('identities').column('display_name').execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  for (const index of ['identities_display_name', 'identities_phone', 'identities_email', 'conversations_incident', 'messages_incident']) await db.schema.dropIndex(index).ifExists().execute();
  for (const table of ['merges', 'merge_suggestions', 'incident_detector', 'incidents']) await db.schema.dropTable(table).ifExists().execute();
};
