import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { firstResponsesQuery } from '../../src/server/repositories/sla.repository.js';
import { createChannel, createTestApp, type TestApp } from '../support/test-app.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';

const pgAvailable = await isPostgresAvailable();

describe.each(dialects)('first responses of response clocks on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  let channelId: string;
  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect);
    channelId = (await createChannel(app)).id;
  });
  afterAll(async () => app?.dispose());

  let n = 0;
  const message = (conversationId: string, direction: 'in' | 'out', at: number, sentBy: string | null = null) => {
    n += 1;
    return { id: `fr-${n}`, channel_id: channelId, external_id: `fr-${n}`, conversation_id: conversationId, direction, kind: 'reply', visibility: 'public', author_platform_id: direction === 'out' ? '999' : 'c1', text: `${direction} ${n}`, created_at: at, received_at: at, stage: 'decided', sent_by_user_id: sentBy, attachments: '[]', listening: 0, author_followers: 0, author_verified: 0 };
  };

  it.skipIf(skip)('finds the first reply people sent since each clock started, among many customer messages, skipping rules\' replies', async () => {
    // A long thread: 300 customer messages, a rule's automatic answer, then an agent's reply.
    const rows = [
      ...Array.from({ length: 300 }, (_, i) => message('long', 'in', 1000 + i)),
      message('long', 'out', 1500, 'rule:greeting'),
      message('long', 'out', 1600, 'user-1'),
      message('long', 'out', 1700, 'user-1'),
      message('quiet', 'in', 1000),
      message('early', 'out', 500, 'user-1'),
      message('early', 'in', 900),
    ];
    await app.store.db.insertInto('messages').values(rows).execute();
    const found = await app.repos.sla.firstResponsesSince([
      { conversationId: 'long', since: 1000 },
      { conversationId: 'long', since: 1650 },
      { conversationId: 'long', since: 1800 },
      { conversationId: 'quiet', since: 1000 },
      { conversationId: 'early', since: 900 },
    ]);
    expect(Object.fromEntries(found)).toEqual({ 'long\u00001000': 1600, 'long\u00001650': 1700, 'long\u00001800': null, 'quiet\u00001000': null, 'early\u0000900': null });
  });

  it.skipIf(skip || dialect !== 'sqlite')('reads the outbound messages of a conversation alone, from the index only, not every message since the clock started (the repository\'s own statement)', async () => {
    const plan = await sql<{ detail: string }>`explain query plan ${firstResponsesQuery([{ conversationId: 'long', since: 1000 }])}`.execute(app.store.db);
    expect(plan.rows.map((r) => r.detail).join('\n')).toContain('USING COVERING INDEX messages_outbound_conversation');
  });
});
