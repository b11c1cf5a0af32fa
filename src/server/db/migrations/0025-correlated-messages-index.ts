import { sql, type Kysely, type SqlBool } from 'kysely';

/*
 * A message has no conversation until correlate gives it one. Indexed whole, messages_conversation took an entry
 * for the null at every insert, which correlate then deleted again when it set the conversation; on PostgreSQL,
 * where an update writes a new row version, that was one more entry per message through ingest and correlate. Every
 * query that uses the index names a conversation (`conversation_id = ?`, `in (…)`, or a join on it), which implies
 * a value, so an index of correlated messages only answers them as before.
 *
 * With both indexes partial, SQLite no longer told the first-response read (outbound messages of a conversation
 * since a time, not sent by a rule) which one serves it better: it took messages_conversation, which visits every
 * message since then. messages_outbound_conversation now also holds who sent each reply, so it answers that read
 * without visiting the table, and is the planner's choice on both stores.
 */
const OUTBOUND_BEFORE = ['conversation_id', 'created_at'];
const OUTBOUND = [...OUTBOUND_BEFORE, 'sent_by_user_id'];

const rebuild = async (db: Kysely<unknown>, correlatedOnly: boolean, outbound: string[]): Promise<void> => {
  await db.schema.dropIndex('messages_conversation').execute();
  const conversation = db.schema.createIndex('messages_conversation').on('messages').columns(['conversation_id', 'created_at', 'id']);
  await (correlatedOnly ? conversation.where(sql<SqlBool>`conversation_id is not null`) : conversation).execute();
  await db.schema.dropIndex('messages_outbound_conversation').execute();
  await db.schema.createIndex('messages_outbound_conversation').on('messages').columns(outbound).where(sql.ref('direction'), '=', 'out').execute();
};

export const up = (db: Kysely<unknown>): Promise<void> => rebuild(db, true, OUTBOUND);

export const down = (db: Kysely<unknown>): Promise<void> => rebuild(db, false, OUTBOUND_BEFORE);
