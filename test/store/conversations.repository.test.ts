import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/server/platform/ids.js';
import { foldActivities, foldedView, type ConversationActivity } from '../../src/server/repositories/conversations.repository.js';
import { createChannel, createTestApp, type TestApp } from '../support/test-app.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';

const pgAvailable = await isPostgresAvailable();

describe.each(dialects)('conversations repository on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  let channelId: string;
  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect);
    channelId = (await createChannel(app)).id;
  });
  afterAll(async () => app?.dispose());

  const activity = (id: string, at: number, direction: 'in' | 'out', extra: Partial<ConversationActivity> = {}): ConversationActivity => ({
    id, messageId: newId(), at, preview: `${direction} at ${at}`, direction, customerId: 'cust-1', sentiment: direction === 'in' ? 'negative' : null, intent: direction === 'in' ? 'outage' : null, language: 'en', ...extra,
  });

  it.skipIf(skip)('applies a batch of activities exactly as one-by-one updates do, late arrivals included', async () => {
    const [a, b] = [newId(), newId()];
    for (const id of [a, b]) await app.repos.conversations.create({ id, channelId, brandId: null, customerId: null, threadKey: id, visibility: 'public', subject: null, createdAt: 1000 });
    const list = [activity('x', 5000, 'in'), activity('x', 7000, 'out'), activity('x', 9000, 'in'), activity('x', 8000, 'in', { sentiment: 'neutral' }), activity('x', 2000, 'in')];
    for (const item of list) await app.repos.conversations.recordActivity({ ...item, id: a });
    await app.repos.conversations.recordActivities(list.map((item) => ({ ...item, id: b })));
    const [one, batch] = await Promise.all([app.repos.conversations.get(a), app.repos.conversations.get(b)]);
    const pick = (c: typeof one) => ({ count: c!.messageCount, at: c!.lastMessageAt, preview: c!.lastMessagePreview, direction: c!.lastMessageDirection, customer: c!.customerId, language: c!.language });
    expect(pick(batch)).toEqual(pick(one));
    expect(batch!.messageCount).toBe(5);
    expect(batch!.lastMessageAt).toBe(9000);
    expect(batch!.unreadCount).toBe(2);
  });

  it.skipIf(skip)('a conversation created with its first activities equals one created and then updated', async () => {
    const [a, b] = [newId(), newId()];
    const list = [activity('x', 5000, 'in'), activity('x', 7000, 'out'), activity('x', 9000, 'in', { customerId: null }), activity('x', 8000, 'in', { sentiment: 'neutral', intent: 'billing' })];
    const base = { channelId, brandId: null, customerId: null, visibility: 'public', subject: null, createdAt: 5000 };
    await app.repos.conversations.createMany([{ ...base, id: a, threadKey: a }]);
    await app.repos.conversations.recordActivities(list.map((item) => ({ ...item, id: a })));
    await app.repos.conversations.createMany([{ ...base, id: b, threadKey: b, activity: foldActivities(list.map((item) => ({ ...item, id: b }))).get(b)! }]);
    const [updated, created] = await Promise.all([app.repos.conversations.get(a), app.repos.conversations.get(b)]);
    const { id: _a, threadKey: _ta, ...expected } = updated!;
    const { id: _b, threadKey: _tb, ...actual } = created!;
    expect(actual).toEqual(expected);
    expect(created).toMatchObject({ messageCount: 4, unreadCount: 2, lastMessageAt: 9000, customerId: 'cust-1', intent: 'outage', sentiment: 'negative' });
  });

  it.skipIf(skip)('an activity left to decide is read as recordFolded leaves it and written with the decision as recordFolded then updateDecisions write', async () => {
    const cases: { name: string; state: Record<string, unknown>; activities: ConversationActivity[]; status?: string }[] = [
      { name: 'open, newer messages', state: { customer_id: 'cust-0', unread_count: 1 }, activities: [activity('x', 6000, 'in'), activity('x', 6500, 'in', { sentiment: null, intent: null })] },
      { name: 'snoozed, a customer writes', state: { status: 'snoozed', snoozed_until: 99_000 }, activities: [activity('x', 6000, 'in')] },
      { name: 'snoozed, only our reply', state: { status: 'snoozed', snoozed_until: 99_000, unread_count: 3 }, activities: [activity('x', 6000, 'out')] },
      { name: 'late arrival older than the last message', state: { last_message_at: 20_000, last_message_preview: 'newer', unread_count: 2 }, activities: [activity('x', 4000, 'in', { customerId: null })] },
      { name: 'our reply then the customer again', state: { unread_count: 4 }, activities: [activity('x', 6000, 'in'), activity('x', 7000, 'out'), activity('x', 8000, 'in', { language: 'de' })] },
      { name: 'the decision sets a status', state: { status: 'snoozed', snoozed_until: 99_000 }, activities: [activity('x', 6000, 'in')], status: 'pending' },
    ];
    for (const c of cases) {
      const [apart, together] = [newId(), newId()];
      for (const id of [apart, together]) {
        await app.repos.conversations.create({ id, channelId, brandId: null, customerId: null, threadKey: id, visibility: 'public', subject: null, createdAt: 5000 });
        await app.store.db.updateTable('conversations').set(c.state).where('id', '=', id).execute();
      }
      const fold = (id: string) => foldActivities(c.activities.map((a) => ({ ...a, id }))).get(id)!;
      const decision = (id: string) => ({ id, priority: 61, priorityBand: 'high', priorityParts: [{ name: 'severity', points: 61, why: 'intent outage' }], assigneeId: null, teamId: null, queue: 'service', slaDueAt: 70_000, now: 30_000, tags: ['vip'], ...(c.status ? { status: c.status } : {}) });
      const [before] = await app.repos.conversations.getMany([apart]);
      await app.repos.conversations.recordFolded(new Map([[apart, fold(apart)]]));
      const [folded] = await app.repos.conversations.getMany([apart]);
      expect(foldedView(before!, fold(apart)), c.name).toEqual(folded);
      await app.repos.conversations.updateDecisions([decision(apart)]);
      await app.repos.conversations.updateFoldedDecisions([{ fold: fold(together), decision: decision(together) }]);
      const [a, b] = await app.repos.conversations.getMany([apart, together].sort());
      const strip = (row: typeof a) => {
        const { id: _id, threadKey: _key, lastMessageId: _last, ...rest } = row!;
        return rest;
      };
      expect(strip(a!.id === together ? b : a), c.name).toEqual(strip(a!.id === together ? a : b));
    }
  });

  it.skipIf(skip)('pages newest first with a stable keyset cursor and filters', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      const id = newId();
      ids.push(id);
      await app.repos.conversations.create({ id, channelId, brandId: null, customerId: null, threadKey: `k${i}`, visibility: 'public', subject: null, createdAt: 100_000 + (i % 3) * 10 });
    }
    const seen: string[] = [];
    let cursor = null as null | { lastMessageAt: number; id: string };
    for (;;) {
      const page = await app.repos.conversations.list({ channelId }, cursor, 3);
      if (page.length === 0) break;
      seen.push(...page.map((c) => c.id));
      const last = page[page.length - 1]!;
      cursor = { lastMessageAt: last.lastMessageAt, id: last.id };
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(ids.every((id) => seen.includes(id))).toBe(true);
    const rows = await app.repos.conversations.getMany(seen);
    const order = seen.map((id) => rows.find((r) => r.id === id)!.lastMessageAt);
    expect(order).toEqual([...order].sort((x, y) => y - x));
  });

  it.skipIf(skip)('writes a batch of decisions with tags only where given, and first responses only where none was recorded', async () => {
    const [a, b, c] = [newId(), newId(), newId()];
    for (const id of [a, b, c]) await app.repos.conversations.create({ id, channelId, brandId: null, customerId: null, threadKey: id, visibility: 'public', subject: null, createdAt: 1000 });
    await app.repos.rules.addTags(b, ['kept'], 1500);
    const decision = { priority: 40, priorityBand: 'normal', priorityParts: [], assigneeId: null, teamId: null, queue: 'service', slaDueAt: 9000, now: 2000 };
    await app.repos.conversations.updateDecisions([{ ...decision, id: a, tags: ['billing', 'vip'] }, { ...decision, id: b }, { ...decision, id: c, status: 'pending' }]);
    const [ra, rb, rc] = await Promise.all([a, b, c].map((id) => app.repos.conversations.get(id)));
    expect(ra).toMatchObject({ tags: ['billing', 'vip'], priority: 40, queue: 'service', slaDueAt: 9000 });
    expect(rb).toMatchObject({ tags: ['kept'], priorityBand: 'normal' });
    expect(rc).toMatchObject({ tags: [], status: 'pending' });

    await app.repos.conversations.recordFirstResponse(a, 2500);
    await app.repos.conversations.recordFirstResponses([{ id: a, at: 3000 }, { id: b, at: 3100 }]);
    const [fa, fb, fc] = await Promise.all([a, b, c].map((id) => app.repos.conversations.get(id)));
    expect(fa).toMatchObject({ firstResponseAt: 2500 });
    expect(fb).toMatchObject({ firstResponseAt: 3100, slaDueAt: null });
    expect(fc).toMatchObject({ firstResponseAt: null, slaDueAt: 9000 });
  });
});
