import type { Kysely } from 'kysely';

/**
 * Deliveries to a paused channel: verified, acknowledged to the platform and kept here (not routed) until the
 * channel resumes, when they enter the pipeline in arrival order.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('channel_held_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    // JSON arrays of Envelopes and Deletions, exactly as the adapter mapped them.
    .addColumn('envelopes', 'text', (c) => c.notNull())
    .addColumn('deletions', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('channel_held_events_channel').on('channel_held_events').columns(['channel_id', 'received_at']).execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.dropTable('channel_held_events').execute();
};
