import { sql, type Kysely } from 'kysely';

/*
 * Decide reads, for each open response clock of its batch, the first reply sent in the conversation since the clock
 * started (sla.firstResponsesSince). Through messages_conversation that read visited every message of the conversation
 * since then to find the outbound ones, so it grew with the conversation: in a 120 s run at 1,000 messages a second
 * the busiest thread held 234 messages and the read became a quarter of decide's time. Outbound messages alone, by
 * conversation and time, make it one step per clock.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.createIndex('messages_outbound_conversation').on('messages').columns(['conversation_id', 'created_at']).where(sql.ref('direction'), '=', 'out').execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.dropIndex('messages_outbound_conversation').execute();
};
