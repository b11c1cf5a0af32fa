import { sql, SqliteAdapter, type Kysely } from 'kysely';
import { createIndexAtInsertTriggers } from './0009-search.js';

const isSqlite = (db: Kysely<unknown>): boolean => db.getExecutor().adapter instanceof SqliteAdapter;

/*
 * SQLite: a message enters the full-text index when it leaves the 'ingested' stage (understand's batch), not in the
 * ingest transaction. Search finds conversations through their messages, and a message has no conversation before
 * correlate, so what search can find is unchanged. What changes is where the work falls: FTS5 writes a new segment
 * for every transaction that adds rows, and an ingest transaction carries the few messages of the requests that
 * arrived together, so indexing there wrote about 6 of the 8 WAL pages of each acknowledgement's commit, on the
 * thread that answers HTTP. Understand's transactions carry tens to hundreds of messages.
 *
 * The index is external-content: it must never be told to delete a row it never indexed. So every trigger acts
 * only on rows past 'ingested' (indexed), and a row that went back to 'ingested' would leave it.
 *
 * PostgreSQL keeps indexing at insert (message_search, one statement per insert batch): its triggers cannot watch
 * a column and see the statement's rows at once, and a row trigger per understood message costs more than it saves.
 */
const indexedWhenPastIngest = async (db: Kysely<unknown>): Promise<void> => {
  for (const trigger of ['messages_fts_insert', 'messages_fts_delete', 'messages_fts_update']) await sql`drop trigger if exists ${sql.raw(trigger)}`.execute(db);
  // Messages not yet past ingest leave the index, whose entries hold the text they have now (the update trigger
  // kept them in step).
  await sql`insert into messages_fts(messages_fts, rowid, text, subject) select 'delete', rowid, text, subject from messages where stage = 'ingested'`.execute(db);
  // Replies, notes and handoff messages are stored past ingest: indexed as they are written.
  await sql`create trigger messages_fts_insert after insert on messages when new.stage <> 'ingested' begin
      insert into messages_fts(rowid, text, subject) values (new.rowid, new.text, new.subject);
    end`.execute(db);
  await sql`create trigger messages_fts_staged after update of stage on messages when old.stage = 'ingested' and new.stage <> 'ingested' begin
      insert into messages_fts(rowid, text, subject) values (new.rowid, new.text, new.subject);
    end`.execute(db);
  await sql`create trigger messages_fts_unstaged after update of stage on messages when old.stage <> 'ingested' and new.stage = 'ingested' begin
      insert into messages_fts(messages_fts, rowid, text, subject) values ('delete', old.rowid, old.text, old.subject);
    end`.execute(db);
  await sql`create trigger messages_fts_delete after delete on messages when old.stage <> 'ingested' begin
      insert into messages_fts(messages_fts, rowid, text, subject) values ('delete', old.rowid, old.text, old.subject);
    end`.execute(db);
  await sql`create trigger messages_fts_update after update of text, subject on messages
    when old.stage <> 'ingested' and new.stage <> 'ingested' and (old.text is not new.text or old.subject is not new.subject) begin
      insert into messages_fts(messages_fts, rowid, text, subject) values ('delete', old.rowid, old.text, old.subject);
      insert into messages_fts(rowid, text, subject) values (new.rowid, new.text, new.subject);
    end`.execute(db);
};

/** Back to 0009's rule: every message indexed at insert, the ones still at ingest put back in. */
const indexedAtInsert = async (db: Kysely<unknown>): Promise<void> => {
  for (const trigger of ['messages_fts_insert', 'messages_fts_staged', 'messages_fts_unstaged', 'messages_fts_delete', 'messages_fts_update']) await sql`drop trigger if exists ${sql.raw(trigger)}`.execute(db);
  await sql`insert into messages_fts(rowid, text, subject) select rowid, text, subject from messages where stage = 'ingested'`.execute(db);
  await createIndexAtInsertTriggers(db);
};

export const up = async (db: Kysely<unknown>): Promise<void> => {
  if (isSqlite(db)) await indexedWhenPastIngest(db);
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  if (isSqlite(db)) await indexedAtInsert(db);
};
