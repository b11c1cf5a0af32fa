import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompiledQuery, type RawBuilder } from 'kysely';
import { latestOfThreadsQuery } from '../../src/server/repositories/conversations.repository.js';
import { conversationsOfExternalQuery } from '../../src/server/repositories/messages.repository.js';
import { createChannel, createTestApp, type TestApp } from '../support/test-app.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';

const pgAvailable = await isPostgresAvailable();

/** Messages and conversations in the busy channel: enough that reading the channel's whole index range shows. */
const SIZE = 3000;

const planOf = async (app: TestApp, dialect: string, query: RawBuilder<unknown>): Promise<string> => {
  const compiled = query.compile(app.store.db);
  const prefix = dialect === 'sqlite' ? 'explain query plan' : 'explain';
  const rows = await app.store.db.executeQuery<Record<string, string>>(CompiledQuery.raw(`${prefix} ${compiled.sql}`, [...compiled.parameters]));
  return rows.rows.map((r) => r.detail ?? r['QUERY PLAN']).join('\n');
};

/**
 * Correlate's two lookups per batch, a reply's parent by external id and a thread's latest conversation by key, are
 * probes on both columns of their index, whatever the store knows of the table: as `in (…)` lists PostgreSQL read a
 * young table's index by channel alone, every message of the channel for each batch.
 */
describe.each(dialects)('thread lookups on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  let busy: string;
  let other: string;
  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect);
    busy = (await createChannel(app)).id;
    other = (await createChannel(app)).id;
    const conversation = (channelId: string, id: string, threadKey: string, createdAt: number, mergedIntoId: string | null = null, status = 'open') => ({
      id, channel_id: channelId, thread_key: threadKey, visibility: 'public', status, last_message_at: createdAt, created_at: createdAt, updated_at: createdAt,
      merged_into_id: mergedIntoId, resolved_at: status === 'resolved' ? createdAt + 1 : null,
    });
    const conversations = [
      ...Array.from({ length: SIZE }, (_, i) => conversation(busy, `c-${i}`, `t-${i}`, 1000 + i)),
      // An older conversation of thread t-1, and thread t-2's later one (resolved): the latest wins.
      conversation(busy, 'c-1-old', 't-1', 10),
      conversation(busy, 'c-2-new', 't-2', 900_000, null, 'resolved'),
      // Thread t-3's conversation was merged into c-5.
      conversation(busy, 'c-3-merged', 't-3', 950_000, 'c-5'),
      // The same key in another channel is another thread.
      conversation(other, 'o-4', 't-4', 990_000),
    ];
    for (let i = 0; i < conversations.length; i += 500) await app.store.db.insertInto('conversations').values(conversations.slice(i, i + 500)).execute();
    const message = (channelId: string, externalId: string, conversationId: string | null) => ({
      id: `m-${channelId}-${externalId}`, channel_id: channelId, external_id: externalId, conversation_id: conversationId, direction: 'in', kind: 'post',
      visibility: 'public', author_platform_id: 'a', text: 'hello', created_at: 1000, received_at: 1000, stage: conversationId ? 'decided' : 'ingested',
      attachments: '[]', listening: 0, author_followers: 0, author_verified: 0,
    });
    const messages = [
      ...Array.from({ length: SIZE }, (_, i) => message(busy, `e-${i}`, i === 7 ? null : `c-${i}`)),
      message(other, 'e-8', 'o-4'),
    ];
    for (let i = 0; i < messages.length; i += 500) await app.store.db.insertInto('messages').values(messages.slice(i, i + 500)).execute();
  });
  afterAll(async () => app?.dispose());

  it.skipIf(skip)('finds the conversation of each external id of the channel, and nothing for the others', async () => {
    const found = await app.repos.messages.conversationsOfExternal(busy, ['e-5', 'e-6', 'e-5', 'e-7', 'missing']);
    // e-7 is not threaded yet; e-5 asked twice is one entry.
    expect(found).toEqual(new Map([['e-5', 'c-5'], ['e-6', 'c-6']]));
    expect(await app.repos.messages.conversationsOfExternal(other, ['e-8', 'e-5'])).toEqual(new Map([['e-8', 'o-4']]));
    expect(await app.repos.messages.conversationsOfExternal(busy, [])).toEqual(new Map());
  });

  it.skipIf(skip)('finds each thread’s latest conversation, following merges', async () => {
    const found = await app.repos.conversations.findByThreads(busy, ['t-1', 't-2', 't-3', 't-4', 'nope', 't-1']);
    expect(found).toEqual(
      new Map([
        ['t-1', { id: 'c-1', status: 'open', resolvedAt: null }],
        ['t-2', { id: 'c-2-new', status: 'resolved', resolvedAt: 900_001 }],
        ['t-3', { id: 'c-5', status: 'open', resolvedAt: null }],
        ['t-4', { id: 'c-4', status: 'open', resolvedAt: null }],
      ]),
    );
    expect(await app.repos.conversations.findByThreads(other, ['t-4'])).toEqual(new Map([['t-4', { id: 'o-4', status: 'open', resolvedAt: null }]]));
  });

  it.skipIf(skip)('looks each key up on both columns of its index, on a table the store has no statistics of', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => [busy, `e-${i * 7}`]);
    const parents = await planOf(app, dialect, conversationsOfExternalQuery(keys));
    const threads = await planOf(app, dialect, latestOfThreadsQuery(keys.map(([c], i) => [c, `t-${i * 7}`])));
    if (dialect === 'sqlite') {
      expect(parents).toMatch(/USING INDEX \S+ \(channel_id=\? AND external_id=\?\)/);
      expect(threads).toMatch(/USING INDEX conversations_thread \(channel_id=\? AND thread_key=\?\)/);
    } else {
      expect(parents).toMatch(/Index Cond: \(\(channel_id = "\*VALUES\*"\.column1\) AND \(external_id = "\*VALUES\*"\.column2\)\)/);
      expect(threads).toMatch(/Index Cond: \(\(channel_id = "\*VALUES\*"\.column1\) AND \(thread_key = "\*VALUES\*"\.column2\)\)/);
    }
  });
});
