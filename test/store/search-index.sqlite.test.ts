import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as searchAfterIngest from '../../src/server/db/migrations/0021-search-after-ingest.js';
import { newId } from '../../src/server/platform/ids.js';
import type { MessageStage, NewMessage } from '../../src/server/repositories/messages.repository.js';
import { createChannel, createTestApp, type TestApp } from '../support/test-app.js';

/*
 * The embedded store's full-text index (external content) holds exactly the messages past 'ingested', whatever
 * happens to them: inserted past ingest, moved on by the pipeline, edited, deleted, and across the migration
 * that moved indexing out of the ingest transaction, both ways.
 */
describe('SQLite full-text index follows the message stage', () => {
  let app: TestApp;
  let channelId: string;
  let db: Kysely<unknown>;
  beforeAll(async () => {
    app = await createTestApp('sqlite');
    channelId = (await createChannel(app)).id;
    db = app.store.db as unknown as Kysely<unknown>;
    await sql`create virtual table fts_terms using fts5vocab(messages_fts, 'instance')`.execute(db);
  });
  afterAll(async () => app?.dispose());

  const insert = async (text: string, stage: MessageStage): Promise<string> => {
    const id = newId();
    const message: NewMessage = {
      id, channelId, externalId: newId(), direction: 'in', kind: 'post', visibility: 'public',
      author: { platformId: 'p1', handle: 'someone', displayName: null, followers: 0, verified: false, email: null },
      text, subject: null, attachments: [], inReplyTo: null, threadKey: id, url: null, listening: false,
      createdAt: 1, receivedAt: 1, editedAt: null, stage, html: null, raw: null, conversationId: null, customerId: null,
    };
    await app.repos.messages.insertMany([message]);
    return id;
  };

  /** What the index holds, as "word rowid" pairs, against what it should hold: the words of every message past ingest. */
  const indexed = async (): Promise<{ actual: string[]; expected: string[] }> => {
    const terms = (await sql<{ term: string; doc: number }>`select term, doc from fts_terms`.execute(db)).rows;
    const rows = (await sql<{ rowid: number; text: string }>`select rowid, text from messages where stage <> 'ingested'`.execute(db)).rows;
    return {
      actual: [...new Set(terms.map((t) => `${t.term} ${t.doc}`))].sort(),
      expected: [...new Set(rows.flatMap((r) => r.text.toLowerCase().split(/\s+/).filter(Boolean).map((w) => `${w} ${r.rowid}`)))].sort(),
    };
  };
  const expectInStep = async (): Promise<void> => {
    const { actual, expected } = await indexed();
    expect(actual).toEqual(expected);
    await sql`insert into messages_fts(messages_fts) values ('integrity-check')`.execute(db);
  };
  const setStage = (id: string, stage: MessageStage) => sql`update messages set stage = ${stage} where id = ${id}`.execute(db);

  it('indexes a message when it leaves ingest, and keeps edits and deletes in step', async () => {
    const waiting = await insert('zorblax waiting here', 'ingested');
    const reply = await insert('zorblax reply sent', 'decided');
    const dropped = await insert('zorblax never understood', 'ingested');
    await expectInStep();
    expect((await indexed()).actual.some((pair) => pair.startsWith('waiting '))).toBe(false);

    await setStage(waiting, 'understood');
    await expectInStep();
    expect((await indexed()).actual.some((pair) => pair.startsWith('waiting '))).toBe(true);

    // Edited before and after it was indexed; moved on again (no second entry).
    await sql`update messages set text = 'quibble edited early' where id = ${dropped}`.execute(db);
    await sql`update messages set text = 'zorblax edited later' where id = ${waiting}`.execute(db);
    await setStage(waiting, 'decided');
    await expectInStep();
    // Text and stage changed in one statement.
    await sql`update messages set text = 'plonk changed on the way', stage = 'understood' where id = ${dropped}`.execute(db);
    await expectInStep();

    // Deleted before and after indexing: only an indexed row is taken out of the index.
    const gone = await insert('vanishing before understood', 'ingested');
    await sql`delete from messages where id in (${gone}, ${reply})`.execute(db);
    await expectInStep();
    // A row sent back to ingest leaves the index.
    await setStage(waiting, 'ingested');
    await expectInStep();
    await setStage(waiting, 'understood');
    await expectInStep();
  });

  it('moves to and from indexing at insert through the migration', async () => {
    await insert('pending across migration', 'ingested');
    await searchAfterIngest.down(db);
    // The old rule: every message indexed, the ingested ones too.
    const terms = async () => new Set((await sql<{ term: string }>`select term from fts_terms`.execute(db)).rows.map((r) => r.term));
    expect((await terms()).has('pending')).toBe(true);
    await insert('arrives under the old triggers', 'ingested');
    expect((await terms()).has('arrives')).toBe(true);
    await sql`insert into messages_fts(messages_fts) values ('integrity-check')`.execute(db);
    await searchAfterIngest.up(db);
    await expectInStep();
    expect((await terms()).has('pending')).toBe(false);
    expect((await terms()).has('arrives')).toBe(false);
  });
});
