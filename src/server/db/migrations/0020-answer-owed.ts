import type { Kysely } from 'kysely';

/**
 * A holding reply ("we're on it") is the customer's first response, but not their answer: since when the
 * conversation still owes one, kept until an agent sends a full reply, so it stays in the agent's work.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('conversations').addColumn('answer_owed_since', 'bigint').execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('conversations').dropColumn('answer_owed_since').execute();
};
