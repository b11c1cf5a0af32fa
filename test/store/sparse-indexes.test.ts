import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompiledQuery, sql, type Compilable, type Kysely } from 'kysely';
import * as sparseIndexes from '../../src/server/db/migrations/0024-sparse-indexes.js';
import * as correlatedMessagesIndex from '../../src/server/db/migrations/0025-correlated-messages-index.js';
import { decidedPageQuery } from '../../src/server/repositories/impostor-alerts.repository.js';
import { privateMessagesFromQuery } from '../../src/server/repositories/private-links.repository.js';
import { createChannel, createTestApp, envelope, parseEnvelopes, type TestApp } from '../support/test-app.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';

const pgAvailable = await isPostgresAvailable();

const SPARSE = ['messages_incident', 'conversations_incident', 'messages_decided', 'messages_author', 'messages_conversation'];

/** Index name → its definition, as the store reports it. */
const definitions = async (app: TestApp, dialect: string): Promise<Map<string, string>> => {
  const rows =
    dialect === 'sqlite'
      ? (await sql<{ name: string; def: string }>`select name, sql as def from sqlite_master where type = 'index' and name in (${sql.join(SPARSE)})`.execute(app.store.db)).rows
      : (await sql<{ name: string; def: string }>`select indexname as name, indexdef as def from pg_indexes where schemaname = current_schema() and indexname in (${sql.join(SPARSE)})`.execute(app.store.db)).rows;
  return new Map(rows.map((r) => [r.name, r.def.toLowerCase()]));
};

/**
 * The plan the store would run `query` with. PostgreSQL plans a table of a few hundred rows as a scan and a sort,
 * whatever its indexes: there the planner is told to avoid both, so the plan shows whether the index can serve.
 */
const planOf = async (app: TestApp, dialect: string, query: Compilable<unknown>): Promise<string> => {
  const compiled = query.compile();
  if (dialect === 'sqlite') {
    const rows = await app.store.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]));
    return rows.rows.map((r) => r.detail).join('\n');
  }
  return app.store.db.connection().execute(async (db) => {
    await sql`set enable_seqscan = off`.execute(db);
    await sql`set enable_sort = off`.execute(db);
    try {
      const rows = await db.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${compiled.sql}`, [...compiled.parameters]));
      return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      await sql`reset enable_seqscan`.execute(db);
      await sql`reset enable_sort`.execute(db);
    }
  });
};

/**
 * Indexes on columns most rows leave empty (a message's incident and decided time, a conversation's incident) keep
 * entries only for the rows with a value, and the queries that use them still can.
 */
describe.each(dialects)('sparse indexes on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  let channelId: string;
  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect);
    channelId = (await createChannel(app)).id;
    const rows = Array.from({ length: 200 }, (_, i) => ({
      id: `sp-${i}`, channel_id: channelId, external_id: `sp-${i}`, direction: 'in', kind: 'post', visibility: 'public', author_platform_id: `a${i}`,
      text: `message ${i}`, created_at: 1000 + i, received_at: 1000 + i, stage: i < 150 ? 'decided' : 'ingested', decided_at: i < 150 ? 5000 + Math.floor(i / 50) : null,
      incident_id: i % 40 === 0 ? 'inc-1' : null, attachments: '[]', listening: 0, author_followers: 0, author_verified: 0,
    }));
    await app.store.db.insertInto('messages').values(rows).execute();
  });
  afterAll(async () => app?.dispose());

  it.skipIf(skip)('keeps entries only for rows with a value', async () => {
    const defs = await definitions(app, dialect);
    expect([...defs.keys()].sort()).toEqual([...SPARSE].sort());
    for (const [name, def] of defs) {
      if (name === 'messages_author') expect(def).toMatch(/where.*visibility.*private.*direction.*in/);
      else expect(def, name).toMatch(/where \(?"?(incident_id|decided_at|conversation_id)"? is not null\)?/);
    }
  });

  it.skipIf(skip)('pages through decided messages in order on the partial index, skipping those not decided', async () => {
    const seen: string[] = [];
    let after = { decidedAt: 0, id: '' };
    for (;;) {
      const page = await decidedPageQuery(app.store.db, after, 40).execute();
      if (page.length === 0) break;
      seen.push(...page.map((r) => r.id));
      const last = page.at(-1)!;
      after = { decidedAt: Number(last.decided_at), id: last.id };
    }
    const expected = Array.from({ length: 150 }, (_, i) => ({ id: `sp-${i}`, at: 5000 + Math.floor(i / 50) })).sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
    expect(seen).toEqual(expected.map((e) => e.id));
    expect(await planOf(app, dialect, decidedPageQuery(app.store.db, { decidedAt: 0, id: '' }, 40))).toContain('messages_decided');
  });

  it.skipIf(skip)('finds an incident’s messages and conversations on the partial indexes', async () => {
    const members = await app.store.db.selectFrom('messages').select('id').where('incident_id', '=', 'inc-1').orderBy('id').execute();
    expect(members.map((m) => m.id)).toEqual(['sp-0', 'sp-120', 'sp-160', 'sp-40', 'sp-80']);
    expect(await planOf(app, dialect, app.store.db.selectFrom('messages').select('id').where('incident_id', '=', 'inc-1'))).toContain('messages_incident');
    expect(await planOf(app, dialect, app.store.db.selectFrom('conversations').select('id').where('incident_id', '=', 'inc-1'))).toContain('conversations_incident');
  });

  it.skipIf(skip)('finds the private messages an author sent on the index that holds only those', async () => {
    const dms = Array.from({ length: 3 }, (_, i) => ({
      id: `dm-${i}`, channel_id: channelId, external_id: `dm-${i}`, direction: 'in', kind: 'dm', visibility: 'private', author_platform_id: 'a7',
      text: `code ${i}`, created_at: 2000 + i, received_at: 2000 + i, stage: 'decided', attachments: '[]', listening: 0, author_followers: 0, author_verified: 0,
    }));
    await app.store.db.insertInto('messages').values(dms).execute();
    // The author's public post (sp-7) is not among them.
    expect((await app.repos.privateLinks.privateMessagesFrom('x', 'a7', 0)).map((m) => m.id)).toEqual(['dm-2', 'dm-1', 'dm-0']);
    expect(await planOf(app, dialect, privateMessagesFromQuery(app.store.db, 'x', 'a7', 0, 50))).toContain('messages_author');
  });

  it.skipIf(skip)('finds a conversation’s messages on the index of correlated messages, which the ingested ones are not in yet', async () => {
    const [first, second] = parseEnvelopes([envelope(channelId, { externalId: 'cv-1', text: 'my router is down' }), envelope(channelId, { externalId: 'cv-2', inReplyTo: 'cv-1', text: 'still down' })]);
    await app.services.ingest([first!]);
    const [pending] = await app.store.db.selectFrom('messages').select(['id', 'conversation_id']).where('external_id', '=', 'cv-1').execute();
    expect(pending!.conversation_id).toBeNull();
    await app.worker.drain();
    await app.services.ingest([second!]);
    await app.worker.drain();
    const rows = await app.store.db.selectFrom('messages').select(['id', 'conversation_id']).where('external_id', 'in', ['cv-1', 'cv-2']).orderBy('external_id').execute();
    const conversationId = rows[0]!.conversation_id!;
    expect(rows[1]!.conversation_id).toBe(conversationId);
    expect((await app.repos.messages.listByConversation(conversationId, 10)).map((m) => m.id)).toEqual(rows.map((r) => r.id));
    const ofConversation = app.store.db.selectFrom('messages').select('id').where('conversation_id', '=', conversationId).orderBy('created_at').orderBy('id');
    expect(await planOf(app, dialect, ofConversation)).toContain('messages_conversation');
    // As the list's search asks it: for each conversation of the list, does one of its messages match.
    const correlated = app.store.db.selectFrom('conversations').select('id').where(({ exists, selectFrom }) => exists(selectFrom('messages as m').select('m.id').whereRef('m.conversation_id', '=', 'conversations.id').where('m.direction', '=', 'in')));
    expect(await planOf(app, dialect, correlated)).toContain('messages_conversation');
  });

  it.skipIf(skip)('migrates down to whole indexes and up again', async () => {
    await correlatedMessagesIndex.down(app.store.db as unknown as Kysely<unknown>);
    await sparseIndexes.down(app.store.db as unknown as Kysely<unknown>);
    for (const [name, def] of await definitions(app, dialect)) expect(def, name).not.toContain('where');
    await sparseIndexes.up(app.store.db as unknown as Kysely<unknown>);
    await correlatedMessagesIndex.up(app.store.db as unknown as Kysely<unknown>);
    for (const [name, def] of await definitions(app, dialect)) expect(def, name).toContain('where');
  });
});
