import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/server/platform/ids.js';
import { conversationMatches } from '../../src/server/db/dialects/full-text.js';
import { parseSearchQuery, type ConversationFilter } from '../../src/server/repositories/conversations.repository.js';
import type { NewMessage } from '../../src/server/repositories/messages.repository.js';
import { admin, createChannel, createTestApp, type TestApp } from '../support/test-app.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';

const pgAvailable = await isPostgresAvailable();

describe.each(dialects)('full-text search of conversations on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  let channelId: string;
  let otherChannelId: string;
  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect);
    channelId = (await createChannel(app)).id;
    otherChannelId = (await createChannel(app, 'email')).id;
  });
  afterAll(async () => app?.dispose());

  let clock = 1_000_000;
  /** One conversation with these message texts; its last activity is later than every earlier one. */
  const conversation = async (texts: string[], over: { channelId?: string; subject?: string; customerId?: string } = {}): Promise<{ id: string; messageIds: string[] }> => {
    const id = newId();
    const channel = over.channelId ?? channelId;
    clock += 1000;
    await app.repos.conversations.create({ id, channelId: channel, brandId: null, customerId: over.customerId ?? null, threadKey: id, visibility: 'public', subject: over.subject ?? null, createdAt: clock });
    const messages: NewMessage[] = texts.map((text, i) => ({
      id: newId(), channelId: channel, externalId: newId(), direction: i % 2 === 0 ? 'in' : 'out', kind: 'post', visibility: 'public',
      author: { platformId: 'p1', handle: 'someone', displayName: null, followers: 0, verified: false, email: null },
      text, subject: i === 0 ? (over.subject ?? null) : null, attachments: [], inReplyTo: null, threadKey: id, url: null, listening: false,
      createdAt: clock + i, receivedAt: clock + i, editedAt: null, stage: 'decided', html: null, raw: null, conversationId: id, customerId: over.customerId ?? null,
    }));
    await app.repos.messages.insertMany(messages);
    await app.repos.conversations.recordActivities(messages.map((m) => ({ id, messageId: m.id, at: m.createdAt, preview: m.text.slice(0, 80), direction: m.direction, customerId: null, sentiment: null, intent: null, language: null })));
    return { id, messageIds: messages.map((m) => m.id) };
  };

  const search = async (text: string, filter: ConversationFilter = {}, limit = 50): Promise<string[]> => {
    const q = parseSearchQuery(text);
    if (!q) throw new Error(`nothing to search in ${text}`);
    return (await app.repos.conversations.list({ ...filter, search: q }, null, limit)).map((c) => c.id);
  };

  it.skipIf(skip)('finds conversations by any of their messages: words, phrases, or, exclusions', async () => {
    const router = await conversation(['Zorblax router keeps rebooting every night', 'Sorry to hear that, try a factory reset']);
    const invoice = await conversation(['Why was I billed twice? Zorblax invoice 77231 is wrong']);
    const fibre = await conversation(['Fibre outage in Qwertyton', 'Engineers are on it', 'still no zorblax signal']);
    expect(await search('zorblax')).toEqual([fibre.id, invoice.id, router.id]);
    expect(await search('ZORBLAX Router')).toEqual([router.id]);
    expect(await search('factory reset')).toEqual([router.id]);
    expect(await search('"reset factory"')).toEqual([]);
    expect(await search('"factory reset" sorry')).toEqual([router.id]);
    // Every word must be in one message, not spread over the conversation.
    expect(await search('"factory reset" zorblax')).toEqual([]);
    expect(await search('qwertyton or 77231')).toEqual([fibre.id, invoice.id]);
    // Exclusions too apply per message: the fibre thread's third message has zorblax and not "on it".
    expect(await search('zorblax -invoice -"on it"')).toEqual([fibre.id, router.id]);
    expect(await search('zorblax -invoice -signal')).toEqual([router.id]);
    expect(await search('77231')).toEqual([invoice.id]);
    expect(await search('zorblax', { channelId: otherChannelId })).toEqual([]);
  });

  it.skipIf(skip)('searches email subjects too', async () => {
    const mail = await conversation(['please see below', 'thanks'], { channelId: otherChannelId, subject: 'Plinkett contract renewal' });
    expect(await search('plinkett renewal')).toEqual([mail.id]);
    expect(await search('plinkett', { channelId: otherChannelId, status: 'open' })).toEqual([mail.id]);
    expect(await search('plinkett', { status: 'resolved' })).toEqual([]);
  });

  it.skipIf(skip)('pages matches newest first with the list keyset cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) ids.push((await conversation([`gronkle number ${i}`, i % 2 ? 'gronkle again' : 'other words'])).id);
    await conversation(['no match here']);
    const seen: string[] = [];
    let cursor: { lastMessageAt: number; id: string } | null = null;
    for (;;) {
      const page = await app.repos.conversations.list({ search: parseSearchQuery('gronkle')! }, cursor, 3);
      if (page.length === 0) break;
      seen.push(...page.map((c) => c.id));
      const last = page[page.length - 1]!;
      cursor = { lastMessageAt: last.lastMessageAt, id: last.id };
    }
    expect(seen).toEqual([...ids].reverse());
  });

  it.skipIf(skip)('follows edits, platform deletes, row deletes and moves between conversations', async () => {
    const a = await conversation(['the blorptastic widget broke', 'we will send a snazzlefrab']);
    const b = await conversation(['unrelated first message']);
    await app.repos.messages.updateEdit(a.messageIds[0]!, 'the widget broke again', clock, null);
    expect(await search('blorptastic')).toEqual([]);
    expect(await search('widget again')).toEqual([a.id]);
    const message = await app.repos.messages.get(a.messageIds[0]!);
    await app.repos.messages.tombstone(message!.channelId, message!.externalId, clock);
    expect(await search('widget')).toEqual([]);
    await app.store.db.updateTable('messages').set({ conversation_id: b.id }).where('id', '=', a.messageIds[1]!).execute();
    expect(await search('snazzlefrab')).toEqual([b.id]);
    await app.store.db.deleteFrom('messages').where('id', '=', a.messageIds[1]!).execute();
    expect(await search('snazzlefrab')).toEqual([]);
  });

  it.skipIf(skip)('forgets text that retention purges and erasure removes', async () => {
    const customerId = newId();
    await app.store.db.insertInto('customers').values({ id: customerId, display_name: 'Kim', handle: 'kim', followers: 0, verified: 0, tier: 'standard', fields: '{}', created_at: clock, updated_at: clock }).execute();
    const erased = await conversation(['my account number is quibbleflax 4417', 'thanks quibbleflax we fixed it'], { customerId });
    const kept = await conversation(['quibbleflax question from someone else']);
    await app.repos.retention.erase(customerId, null, clock);
    expect(await search('quibbleflax')).toEqual([kept.id]);
    const old = await conversation(['ancient flumpet complaint'], { channelId: otherChannelId });
    await app.repos.retention.purgeBefore(otherChannelId, clock + 10_000);
    expect(await search('flumpet')).toEqual([]);
    expect(erased.id).not.toBe(old.id);
    // Nothing of the erased text is left in the index itself either (not only hidden by the join).
    const indexed = dialect === 'sqlite'
      ? await sql<{ n: number }>`select count(*) as n from messages_fts where messages_fts match 'quibbleflax OR flumpet'`.execute(app.store.db)
      : await sql<{ n: number }>`select count(*) as n from message_search where document @@ to_tsquery('simple', 'quibbleflax | flumpet')`.execute(app.store.db);
    expect(Number(indexed.rows[0]!.n)).toBe(1);
  });

  it.skipIf(skip)('filters by intent, language, reach tier, SLA state, team and incident, alone and with a search', async () => {
    const channel = (await createChannel(app, 'facebook')).id;
    const tier = async (t: string) => {
      const id = newId();
      await app.store.db.insertInto('customers').values({ id, display_name: null, handle: null, followers: 0, verified: 0, tier: t, fields: '{}', created_at: clock, updated_at: clock }).execute();
      return id;
    };
    const a = await conversation(['wibblewump billing question'], { channelId: channel, customerId: await tier('mega') });
    const b = await conversation(['wibblewump outage report'], { channelId: channel, customerId: await tier('standard') });
    const c = await conversation(['other text'], { channelId: channel });
    const now = clock + 1_000_000;
    const set = (id: string, values: Record<string, unknown>) => app.store.db.updateTable('conversations').set(values).where('id', '=', id).execute();
    await set(a.id, { intent: 'billing', language: 'de', sla_due_at: now - 1, team_id: 'team-a' });
    await set(b.id, { intent: 'outage', language: 'en', sla_due_at: now + 5 * 60_000, incident_id: 'inc-1', team_id: 'team-b' });
    await set(c.id, { intent: 'outage', language: 'en', sla_due_at: now + 3 * 3_600_000 });
    const list = async (f: ConversationFilter) => (await app.repos.conversations.list({ channelId: channel, ...f }, null, 10)).map((x) => x.id);
    const sla = (state: 'breached' | 'soon' | 'ok' | 'none') => ({ state, now, soonMs: 15 * 60_000 });
    expect(await list({ intent: 'outage' })).toEqual([c.id, b.id]);
    expect(await list({ language: 'de' })).toEqual([a.id]);
    expect(await list({ tier: 'mega' })).toEqual([a.id]);
    expect(await list({ sla: sla('breached') })).toEqual([a.id]);
    expect(await list({ sla: sla('soon') })).toEqual([b.id]);
    expect(await list({ sla: sla('ok') })).toEqual([c.id]);
    expect(await list({ sla: sla('none') })).toEqual([]);
    expect(await list({ teamIds: ['team-a', 'team-b'] })).toEqual([b.id, a.id]);
    expect(await list({ teamIds: [] })).toEqual([]);
    expect(await list({ inIncident: true })).toEqual([b.id]);
    expect(await list({ inIncident: false })).toEqual([c.id, a.id]);
    expect(await list({ intent: 'outage', search: parseSearchQuery('wibblewump')! })).toEqual([b.id]);
  });

  it.skipIf(skip)('finds the same conversations whichever plan the commonness of the words picks', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i += 1) ids.push((await conversation([`quorble case ${i}`, i % 2 ? 'quorble again' : 'different', i % 3 ? 'frizzet' : 'nothing'])).id);
    const plans = [{}, { rare: 1 }, { rare: 1, common: 2 }];
    for (const text of ['quorble', 'quorble -again', 'frizzet or again', '"quorble case"']) {
      const results: string[][] = [];
      for (const limits of plans) {
        const condition = await conversationMatches(app.store.db as never, parseSearchQuery(text)!, limits);
        const rows = await app.store.db.selectFrom('conversations').select('id').where(condition).orderBy('last_message_at', 'desc').orderBy('id', 'desc').execute();
        results.push(rows.map((r) => r.id).filter((id) => ids.includes(id)));
      }
      expect(results[0]!.length).toBeGreaterThan(0);
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
    }
  });

  it.skipIf(skip)('rejects a query with nothing to look for, naming q', async () => {
    await expect(app.services.conversations.list({ q: '-spam -"junk mail"', limit: 10 }, admin)).rejects.toMatchObject({ code: 'validation_failed', field: 'q' });
    const page = await app.services.conversations.list({ q: '   ', limit: 10 }, admin);
    expect(Array.isArray(page.items)).toBe(true);
  });
});

describe('search query parsing', () => {
  it('reads words, phrases, or and exclusions, and drops punctuation', () => {
    expect(parseSearchQuery('Router "factory reset" or reboot -spam')).toEqual({ all: [[['router']], [['factory', 'reset'], ['reboot']]], none: [['spam']] });
    expect(parseSearchQuery('e-mail AND (x)')).toEqual({ all: [[['e', 'mail']], [['and']], [['x']]], none: [] });
    expect(parseSearchQuery('or -x "')).toBeNull();
    expect(parseSearchQuery('"unbalanced phrase')).toEqual({ all: [[['unbalanced', 'phrase']]], none: [] });
  });
});
