import type { Kysely } from 'kysely';

/**
 * Email codes on a private link are limited per link, not per code: how many codes were sent. Wrong guesses already
 * count in code_attempts, which from now on is never reset by a fresh code.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('private_links').addColumn('code_sends', 'integer', (c) => c.notNull().defaultTo(0)).execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('private_links').dropColumn('code_sends').execute();
};
