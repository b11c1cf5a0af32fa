import { sql, type Kysely, type SqlBool } from 'kysely';

/*
 * Indexes on columns that most rows leave empty keep an entry only for the rows that have a value. A message gets an
 * incident in an outage only, and a decided time when decide is done with it; a conversation an incident only in an
 * outage. Indexed whole, every message insert wrote an entry for a null incident and a null decided time (and on
 * PostgreSQL each update of a message, which writes a new row version, wrote them again), every conversation one
 * for a null incident. Every query that uses them asks for a value (`incident_id = ?`, `incident_id is not null`,
 * `decided_at is not null` with the scan's keyset), which a partial index answers as before.
 *
 * Messages by author serve one query, the private messages an identity sent (proof of identity by direct message):
 * the index keeps inbound private messages only, not every public post.
 */
const sparse = [
  { name: 'messages_incident', table: 'messages', columns: ['incident_id', 'created_at'], where: sql<SqlBool>`incident_id is not null` },
  { name: 'conversations_incident', table: 'conversations', columns: ['incident_id'], where: sql<SqlBool>`incident_id is not null` },
  { name: 'messages_decided', table: 'messages', columns: ['decided_at', 'id'], where: sql<SqlBool>`decided_at is not null` },
  { name: 'messages_author', table: 'messages', columns: ['author_platform_id', 'created_at'], where: sql<SqlBool>`visibility = 'private' and direction = 'in'` },
] as const;

export const up = async (db: Kysely<unknown>): Promise<void> => {
  for (const index of sparse) {
    await db.schema.dropIndex(index.name).execute();
    await db.schema.createIndex(index.name).on(index.table).columns([...index.columns]).where(index.where).execute();
  }
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  for (const index of sparse) {
    await db.schema.dropIndex(index.name).execute();
    await db.schema.createIndex(index.name).on(index.table).columns([...index.columns]).execute();
  }
};
