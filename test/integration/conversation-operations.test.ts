import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/server/platform/clock.js';
import type { Conversation } from '../../src/server/repositories/conversations.repository.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';
import { admin, createChannel, createTestApp, createUser, envelope, parseEnvelopes, tokenFor, type TestApp } from '../support/test-app.js';

const pgAvailable = await isPostgresAvailable();

/** Everything an undo must put back, without the write time (restored too, but the SLA sync may touch it later). */
const rowOf = (c: Conversation | null) => {
  if (!c) return null;
  const { updatedAt: _u, ...rest } = c;
  return rest;
};

describe.each(dialects)('conversation merge, split, undo and snooze on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  const clock = createManualClock(Date.now());
  let app: TestApp;
  let token: string;
  let x: string;
  const syncing = new Set<Promise<void>>();

  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect, { clock });
    // The app starts each background sync through this method: keep hold of each one until it settles.
    const sla = app.services.sla;
    const sync = sla.syncConversations.bind(sla);
    sla.syncConversations = (ids) => {
      const running = sync(ids);
      const forget = () => void syncing.delete(running);
      syncing.add(running);
      void running.then(forget, forget);
      return running;
    };
    x = (await createChannel(app, 'x')).id;
    token = await tokenFor(app, (await createUser(app, 'agent')).id);
  });
  afterAll(async () => app?.dispose());

  const post = (url: string, payload: object = {}) => app.http.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${token}` } });
  const get = (url: string) => app.http.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  const at = (msAgo: number) => new Date(clock.now() - msAgo).toISOString();
  const ingest = async (...list: ReturnType<typeof envelope>[]) => {
    await app.services.ingest(parseEnvelopes(list));
    await app.worker.drain();
  };
  const conversationOf = async (externalId: string): Promise<string> => (await app.repos.messages.findByExternalIds(x, [externalId]))[0]!.conversationId!;
  const settle = async () => {
    // The SLA clock sync runs in the background after each change event; wait for every one started so far to
    // finish before comparing rows (a fixed pause was too short on a busy machine).
    while (syncing.size > 0) await Promise.allSettled([...syncing]);
  };

  it.skipIf(skip)('merges one conversation into another of the same customer, recomputing the list row, and undoes it exactly', async () => {
    const first = envelope(x, { threadKey: 'merge-a', text: '@AcmeTelecom my router keeps dropping the connection', createdAt: at(60_000) });
    const second = envelope(x, { threadKey: 'merge-b', author: first.author, text: '@AcmeTelecom and now I was charged twice, this is unacceptable', createdAt: at(30_000) });
    await ingest(first, second);
    const a = await conversationOf(first.externalId);
    const b = await conversationOf(second.externalId);
    expect(a).not.toBe(b);
    await settle();
    const beforeA = await app.repos.conversations.get(a);
    const beforeB = await app.repos.conversations.get(b);
    const clocksA = await app.services.sla.clocksOf(a);
    expect(clocksA.length).toBeGreaterThan(0);

    const merged = await post(`/api/v1/conversations/${a}/merge`, { targetId: b });
    expect(merged.statusCode, merged.body).toBe(200);
    const { operation, conversation } = merged.json() as { operation: { id: string; kind: string; messageIds: string[] }; conversation: { id: string; messageCount: number; unreadCount: number; lastMessagePreview: string; priority: number } };
    expect(operation.kind).toBe('merge');
    expect(conversation).toMatchObject({ id: b, messageCount: 2, unreadCount: beforeA!.unreadCount + beforeB!.unreadCount, priority: Math.max(beforeA!.priority, beforeB!.priority) });
    expect(conversation.lastMessagePreview).toContain('charged twice');
    const tombstone = await app.repos.conversations.get(a);
    expect(tombstone).toMatchObject({ status: 'merged', mergedIntoId: b, messageCount: 0 });
    expect((await app.repos.messages.get((await app.repos.messages.findByExternalIds(x, [first.externalId]))[0]!.id))!.conversationId).toBe(b);
    expect((await app.services.sla.clocksOf(b)).map((c) => c.id)).toEqual(expect.arrayContaining(clocksA.map((c) => c.id)));
    const list = (await get('/api/v1/conversations?limit=200')).json() as { items: { id: string }[] };
    expect(list.items.map((c) => c.id)).not.toContain(a);
    expect(list.items.map((c) => c.id)).toContain(b);
    // A tombstone reads, but refuses changes.
    expect(((await get(`/api/v1/conversations/${a}`)).json() as { conversation: { mergedIntoId: string } }).conversation.mergedIntoId).toBe(b);
    expect((await post(`/api/v1/conversations/${a}/status`, { status: 'resolved' })).statusCode).toBe(409);
    expect((await get(`/api/v1/conversations/${b}/operations`)).json()).toMatchObject({ items: [{ id: operation.id, kind: 'merge', undoneAt: null }] });

    await settle();
    const undo = await post(`/api/v1/conversation-operations/${operation.id}/undo`);
    expect(undo.statusCode, undo.body).toBe(200);
    expect(rowOf(await app.repos.conversations.get(a))).toEqual(rowOf(beforeA));
    expect(rowOf(await app.repos.conversations.get(b))).toEqual(rowOf(beforeB));
    expect(await app.services.sla.clocksOf(a)).toEqual(clocksA);
    expect((await post(`/api/v1/conversation-operations/${operation.id}/undo`)).statusCode).toBe(409);
    const actions = (await app.store.db.selectFrom('audit_log').select('action').where('target_id', '=', a).orderBy('seq').execute()).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['conversation.merge', 'conversation.merge.undo']));
    expect(await app.trust.audit.verify()).toMatchObject({ ok: true });
  });

  it.skipIf(skip)('hands a snooze over in a merge and back in an undo, each with its own wake-up', async () => {
    const one = envelope(x, { threadKey: 'snz-merge-a', text: '@AcmeTelecom router blinking red', createdAt: at(9_000) });
    const two = envelope(x, { threadKey: 'snz-merge-b', author: one.author, text: '@AcmeTelecom thanks for fixing it last week', createdAt: at(8_000) });
    await ingest(one, two);
    const a = await conversationOf(one.externalId);
    const b = await conversationOf(two.externalId);
    expect((await post(`/api/v1/conversations/${b}/status`, { status: 'resolved' })).statusCode).toBe(200);
    expect((await post(`/api/v1/conversations/${a}/snooze`, { until: new Date(clock.now() + 30 * 60_000).toISOString() })).statusCode).toBe(200);
    const merged = await post(`/api/v1/conversations/${a}/merge`, { targetId: b });
    expect(merged.json()).toMatchObject({ conversation: { id: b, status: 'snoozed' } });
    clock.advance(30 * 60_000 + 1);
    await app.worker.drain();
    expect((await app.repos.conversations.get(b))!).toMatchObject({ status: 'open', snoozedUntil: null });
    // The merged conversation moved on (woke up), so its undo is refused rather than silently re-snoozing it.
    expect((await post(`/api/v1/conversation-operations/${(merged.json() as { operation: { id: string } }).operation.id}/undo`)).statusCode).toBe(409);
  });

  it.skipIf(skip)('keeps no customer text in its undo snapshot, so an undo after erasure restores none', async () => {
    const one = envelope(x, { threadKey: 'erase-a', kind: 'dm', visibility: 'private', text: 'my card ends 4242 and I live at 12 Elm Street', createdAt: at(7_000) });
    const two = envelope(x, { threadKey: 'erase-b', kind: 'dm', visibility: 'private', author: one.author, text: 'also my phone is 07700 900123', createdAt: at(6_000) });
    await ingest(one, two);
    const a = await conversationOf(one.externalId);
    const b = await conversationOf(two.externalId);
    const merged = await post(`/api/v1/conversations/${a}/merge`, { targetId: b });
    const opId = (merged.json() as { operation: { id: string } }).operation.id;
    const stored = await app.repos.conversationOperations.get(opId);
    expect(stored!.before.conversations).toHaveLength(2);
    expect(JSON.stringify(stored)).not.toMatch(/4242|Elm Street|07700/);
    await app.trust.dataRights.erase((await app.repos.conversations.get(b))!.customerId!, admin);
    expect((await post(`/api/v1/conversation-operations/${opId}/undo`)).statusCode).toBe(200);
    for (const id of [a, b]) expect((await app.repos.conversations.get(id))!).toMatchObject({ lastMessagePreview: '', subject: null });
  });

  it.skipIf(skip)('notifies the teammates a note @mentions, and nobody else', async () => {
    const one = envelope(x, { threadKey: 'mention-a', text: '@AcmeTelecom can someone call me back?', createdAt: at(5_000) });
    await ingest(one);
    const id = await conversationOf(one.externalId);
    const grace = await createUser(app, 'supervisor', { email: 'Grace.Hopper@acme.test' });
    const lin = await createUser(app, 'agent', { email: 'lin@acme.test' });
    const seen: unknown[] = [];
    const stop = app.events.subscribe((e) => {
      if (e.type === 'mention') seen.push(e);
    });
    const res = await post(`/api/v1/conversations/${id}/notes`, { body: '@grace.hopper can you approve a refund? (not for @nobody, and not lin@acme.test)' });
    stop();
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ mentions: ['grace.hopper', 'nobody'] });
    expect(seen).toEqual([expect.objectContaining({ userIds: [grace.id], conversationId: id, excerpt: expect.stringContaining('approve a refund') })]);
    expect(seen).not.toContainEqual(expect.objectContaining({ userIds: expect.arrayContaining([lin.id]) }));
  });

  it.skipIf(skip)('shows an agent\'s label correction in place of the model\'s reading on the conversation', async () => {
    const one = envelope(x, { threadKey: 'label-a', text: '@AcmeTelecom thanks, all working again!', createdAt: at(5_000) });
    await ingest(one);
    const id = await conversationOf(one.externalId);
    const messageId = (await app.repos.messages.findByExternalIds(x, [one.externalId]))[0]!.id;
    expect((await post(`/api/v1/messages/${messageId}/corrections`, { field: 'sentiment', value: 'negative' })).statusCode).toBe(201);
    expect((await post(`/api/v1/messages/${messageId}/corrections`, { field: 'intent', value: 'outage' })).statusCode).toBe(201);
    const detail = (await get(`/api/v1/conversations/${id}`)).json() as { messages: { id: string; classification: { corrections?: Record<string, string>; sentiment?: unknown } }[] };
    const m = detail.messages.find((x) => x.id === messageId)!;
    expect(m.classification.corrections).toEqual({ sentiment: 'negative', intent: 'outage' });
    expect(m.classification.sentiment).toBeDefined();
  });

  it.skipIf(skip)('asks for confirmation before merging across customers, and refuses undo once the merged conversation moved on', async () => {
    const one = envelope(x, { threadKey: 'cross-a', text: '@AcmeTelecom outage in Leeds?', createdAt: at(50_000) });
    const two = envelope(x, { threadKey: 'cross-b', text: '@AcmeTelecom outage in Leeds too', createdAt: at(40_000) });
    await ingest(one, two);
    const a = await conversationOf(one.externalId);
    const b = await conversationOf(two.externalId);
    const refused = await post(`/api/v1/conversations/${a}/merge`, { targetId: b });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ requiresConfirmation: true, errors: [{ field: 'confirmCrossCustomer' }] });
    expect((await post(`/api/v1/conversations/${a}/merge`, { targetId: a })).statusCode).toBe(400);
    expect((await post(`/api/v1/conversations/${a}/merge`, { targetId: 'no-such' })).statusCode).toBe(404);

    const merged = await post(`/api/v1/conversations/${a}/merge`, { targetId: b, confirmCrossCustomer: true });
    expect(merged.statusCode, merged.body).toBe(200);
    const opId = (merged.json() as { operation: { id: string } }).operation.id;
    // The absorbed thread continues in the target: a new message on it lands there, not on the tombstone.
    const more = envelope(x, { threadKey: 'cross-a', author: one.author, text: '@AcmeTelecom still down', createdAt: at(1_000) });
    await ingest(more);
    expect(await conversationOf(more.externalId)).toBe(b);
    const unsafe = await post(`/api/v1/conversation-operations/${opId}/undo`);
    expect(unsafe.statusCode).toBe(409);
    expect((unsafe.json() as { detail: string }).detail).toMatch(/new message/);
    expect((await app.repos.conversations.get(a))!.status).toBe('merged');
  });

  it.skipIf(skip)('splits a message and its replies into a new conversation, blocks the earlier undo until the later one is undone', async () => {
    const root = envelope(x, { threadKey: 'split-root', text: '@AcmeTelecom my fibre is down again', createdAt: at(90_000) });
    const other = envelope(x, { threadKey: 'split-root', author: root.author, text: '@AcmeTelecom separately: I want to change my billing address', createdAt: at(80_000) });
    const reply = envelope(x, { threadKey: 'split-root', inReplyTo: other.externalId, author: root.author, text: '@AcmeTelecom the new address is on the form', createdAt: at(70_000) });
    const later = envelope(x, { threadKey: 'split-root', author: root.author, text: '@AcmeTelecom fibre still down', createdAt: at(60_000) });
    await ingest(root, other, reply, later);
    const source = await conversationOf(root.externalId);
    expect(await conversationOf(reply.externalId)).toBe(source);
    await settle();
    const before = await app.repos.conversations.get(source);
    expect(before!.messageCount).toBe(4);
    const otherId = (await app.repos.messages.findByExternalIds(x, [other.externalId]))[0]!.id;

    const res = await post(`/api/v1/conversations/${source}/split`, { messageId: otherId, scope: 'replies' });
    expect(res.statusCode, res.body).toBe(201);
    const { operation, conversation } = res.json() as { operation: { id: string; messageIds: string[] }; conversation: { id: string; messageCount: number; lastMessagePreview: string; status: string } };
    expect(operation.messageIds).toHaveLength(2);
    expect(conversation).toMatchObject({ messageCount: 2, status: 'open' });
    expect(conversation.lastMessagePreview).toContain('new address');
    expect(await conversationOf(reply.externalId)).toBe(conversation.id);
    expect(await conversationOf(later.externalId)).toBe(source);
    expect((await app.repos.conversations.get(source))!).toMatchObject({ messageCount: 2, lastMessagePreview: expect.stringContaining('fibre still down') });

    // Taking every message is not a split.
    const rootId = (await app.repos.messages.findByExternalIds(x, [root.externalId]))[0]!.id;
    expect((await post(`/api/v1/conversations/${source}/split`, { messageId: rootId, scope: 'following' })).statusCode).toBe(400);
    expect((await post(`/api/v1/conversations/${source}/split`, { messageId: 'nope', scope: 'message' })).statusCode).toBe(404);

    // A second split of the source must be undone before the first.
    const laterId = (await app.repos.messages.findByExternalIds(x, [later.externalId]))[0]!.id;
    const second = await post(`/api/v1/conversations/${source}/split`, { messageId: laterId, scope: 'message' });
    expect(second.statusCode, second.body).toBe(201);
    const blocked = await post(`/api/v1/conversation-operations/${operation.id}/undo`);
    expect(blocked.statusCode).toBe(409);
    expect((blocked.json() as { detail: string }).detail).toMatch(/later split/);
    expect((await post(`/api/v1/conversation-operations/${(second.json() as { operation: { id: string } }).operation.id}/undo`)).statusCode).toBe(200);
    const undone = await post(`/api/v1/conversation-operations/${operation.id}/undo`);
    expect(undone.statusCode, undone.body).toBe(200);
    expect(await app.repos.conversations.get(conversation.id)).toBeNull();
    expect(await conversationOf(reply.externalId)).toBe(source);
    expect(rowOf(await app.repos.conversations.get(source))).toEqual(rowOf(before));
    const actions = (await app.store.db.selectFrom('audit_log').select('action').where('target_id', '=', source).execute()).map((r) => r.action);
    expect(actions.filter((a) => a === 'conversation.split')).toHaveLength(2);
    expect(actions.filter((a) => a === 'conversation.split.undo')).toHaveLength(2);
  });

  it.skipIf(skip)('snoozes until a time: off the open queue, back when the time passes or when the customer writes, SLA clock still running', async () => {
    const first = envelope(x, { threadKey: 'snooze-a', text: '@AcmeTelecom when will the engineer come?', createdAt: at(10_000) });
    await ingest(first);
    const id = await conversationOf(first.externalId);
    await settle();
    const dueBefore = (await app.repos.conversations.get(id))!.slaDueAt;
    expect(dueBefore).not.toBeNull();

    expect((await post(`/api/v1/conversations/${id}/snooze`, { until: at(1000) })).json()).toMatchObject({ errors: [{ field: 'until' }] });
    expect((await post(`/api/v1/conversations/${id}/snooze`, { until: 'tomorrow' })).statusCode).toBe(400);
    const until = new Date(clock.now() + 60 * 60_000).toISOString();
    const snoozed = await post(`/api/v1/conversations/${id}/snooze`, { until });
    expect(snoozed.statusCode, snoozed.body).toBe(200);
    expect(snoozed.json()).toMatchObject({ status: 'snoozed', snoozedUntil: until });
    const open = (await get('/api/v1/conversations?status=open&limit=200')).json() as { items: { id: string }[] };
    expect(open.items.map((c) => c.id)).not.toContain(id);
    await settle();
    // First response is still owed: the clock keeps running while snoozed.
    expect((await app.repos.conversations.get(id))!.slaDueAt).toBe(dueBefore);
    expect((await app.services.sla.clocksOf(id)).filter((c) => c.closedAt === null).every((c) => c.pauses.length === 0)).toBe(true);

    await app.worker.drain();
    expect((await app.repos.conversations.get(id))!.status).toBe('snoozed');
    clock.advance(60 * 60_000 + 1);
    await app.worker.drain();
    expect((await app.repos.conversations.get(id))!).toMatchObject({ status: 'open', snoozedUntil: null });
    expect((await app.store.db.selectFrom('audit_log').select('action').where('target_id', '=', id).execute()).map((r) => r.action)).toEqual(expect.arrayContaining(['conversation.snooze', 'conversation.wake']));

    // The customer writing ends a snooze early; the stale wake-up later does nothing.
    expect((await post(`/api/v1/conversations/${id}/snooze`, { until: new Date(clock.now() + 24 * 60 * 60_000).toISOString() })).statusCode).toBe(200);
    await ingest(envelope(x, { threadKey: 'snooze-a', author: first.author, text: '@AcmeTelecom hello? anyone?', createdAt: at(0) }));
    expect((await app.repos.conversations.get(id))!).toMatchObject({ status: 'open', snoozedUntil: null });
    clock.advance(24 * 60 * 60_000 + 1);
    await app.worker.drain();
    const wakes = await app.store.db.selectFrom('audit_log').select('action').where('target_id', '=', id).where('action', '=', 'conversation.wake').execute();
    expect(wakes).toHaveLength(1);
  });
});
