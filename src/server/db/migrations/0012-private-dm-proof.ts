import type { Kysely } from 'kysely';

/** Proof of identity by the platform's private message: the pending proof on a private link, and DMs found by author. */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('private_links').addColumn('dm_nonce_hash', 'text').execute();
  await db.schema.alterTable('private_links').addColumn('dm_requested_at', 'bigint').execute();
  await db.schema.alterTable('private_links').addColumn('dm_platform', 'text').execute();
  await db.schema.alterTable('private_links').addColumn('dm_platform_id', 'text').execute();
  await db.schema.alterTable('private_links').addColumn('dm_message_id', 'text').execute();
  await db.schema.createIndex('messages_author').on('messages').columns(['author_platform_id', 'created_at']).execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.dropIndex('messages_author').ifExists().execute();
  for (const column of ['dm_message_id', 'dm_platform_id', 'dm_platform', 'dm_requested_at', 'dm_nonce_hash']) await db.schema.alterTable('private_links').dropColumn(column).execute();
};
