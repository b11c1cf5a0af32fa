import { sql, SqliteAdapter, type Kysely } from 'kysely';

const isSqlite = (db: Kysely<unknown>): boolean => db.getExecutor().adapter instanceof SqliteAdapter;

/*
 * Full-text search over message text and subject. The index is kept by triggers, so it changes in the same
 * transaction as the message, whoever writes it: ingest, edits, platform deletes (tombstones blank the text),
 * retention purges and erasure (they blank it too) and row deletes. Tokenising is the same on both stores
 * (lower-cased words of letters and digits, no stemming, accents kept), so a query finds the same messages on both.
 */
const sqliteUp = async (db: Kysely<unknown>): Promise<void> => {
  // External content: the text lives once, in messages; the index maps words to messages' rowids (never VACUUMed).
  await sql`create virtual table messages_fts using fts5(text, subject, content='messages', content_rowid='rowid', tokenize='unicode61 remove_diacritics 0')`.execute(db);
  await sql`insert into messages_fts(messages_fts) values ('rebuild')`.execute(db);
  await createIndexAtInsertTriggers(db);
};

/** Every message indexed as it is written (migration 0021 moves this to when a message leaves ingest; its down comes back here). */
export const createIndexAtInsertTriggers = async (db: Kysely<unknown>): Promise<void> => {
  await sql`create trigger messages_fts_insert after insert on messages begin
      insert into messages_fts(rowid, text, subject) values (new.rowid, new.text, new.subject);
    end`.execute(db);
  await sql`create trigger messages_fts_delete after delete on messages begin
      insert into messages_fts(messages_fts, rowid, text, subject) values ('delete', old.rowid, old.text, old.subject);
    end`.execute(db);
  await sql`create trigger messages_fts_update after update of text, subject on messages
    when old.text is not new.text or old.subject is not new.subject begin
      insert into messages_fts(messages_fts, rowid, text, subject) values ('delete', old.rowid, old.text, old.subject);
      insert into messages_fts(rowid, text, subject) values (new.rowid, new.text, new.subject);
    end`.execute(db);
};

const postgresUp = async (db: Kysely<unknown>): Promise<void> => {
  // A table of its own: the pipeline updates message rows several times, and a GIN entry on messages would be rewritten each time.
  await sql`create table message_search (message_id text primary key references messages(id) on delete cascade, document tsvector not null)`.execute(db);
  await sql`insert into message_search (message_id, document) select id, to_tsvector('simple', coalesce(subject, '') || ' ' || text) from messages`.execute(db);
  await sql`create index message_search_document on message_search using gin (document)`.execute(db);
  await sql`create function message_search_inserted() returns trigger language plpgsql as $$
    begin
      insert into message_search (message_id, document) select id, to_tsvector('simple', coalesce(subject, '') || ' ' || text) from inserted_messages;
      return null;
    end $$`.execute(db);
  // One statement per insert batch: ingest writes messages in multi-row inserts.
  await sql`create trigger message_search_insert after insert on messages referencing new table as inserted_messages for each statement execute function message_search_inserted()`.execute(db);
  await sql`create function message_search_changed() returns trigger language plpgsql as $$
    begin
      update message_search set document = to_tsvector('simple', coalesce(new.subject, '') || ' ' || new.text) where message_id = new.id;
      return null;
    end $$`.execute(db);
  await sql`create trigger message_search_update after update of text, subject on messages for each row
    when (old.text is distinct from new.text or old.subject is distinct from new.subject) execute function message_search_changed()`.execute(db);
};

/** Search over messages, and list-order indexes for the inbox's intent and language filters. */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  if (isSqlite(db)) await sqliteUp(db);
  else await postgresUp(db);
  for (const column of ['intent', 'language']) {
    await db.schema.createIndex(`conversations_${column}_recent`).on('conversations').columns([column, 'last_message_at', 'id']).execute();
  }
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  for (const column of ['intent', 'language']) await db.schema.dropIndex(`conversations_${column}_recent`).ifExists().execute();
  if (isSqlite(db)) {
    for (const trigger of ['messages_fts_insert', 'messages_fts_delete', 'messages_fts_update']) await sql`drop trigger if exists ${sql.raw(trigger)}`.execute(db);
    await sql`drop table if exists messages_fts`.execute(db);
    return;
  }
  await sql`drop trigger if exists message_search_insert on messages`.execute(db);
  await sql`drop trigger if exists message_search_update on messages`.execute(db);
  await sql`drop table if exists message_search`.execute(db);
  await sql`drop function if exists message_search_inserted()`.execute(db);
  await sql`drop function if exists message_search_changed()`.execute(db);
};
