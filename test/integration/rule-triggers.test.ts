import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/server/platform/clock.js';
import { newId } from '../../src/server/platform/ids.js';
import { createRuleScheduler } from '../../src/server/pipeline/decide-events.js';
import { createIncidentTracker } from '../../src/server/pipeline/incidents.js';
import { admin, createChannel, createTestApp, createUser, envelope, parseEnvelopes, tokenFor, type TestApp } from '../support/test-app.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';

const pgAvailable = await isPostgresAvailable();
const MIN = 60_000;

const BURST = [
  'water supply cut off in Hull again, taps dry since 7am',
  'is the water supply off in Hull? taps completely dry',
  'Hull water supply cut for hours, cannot even make tea',
  'no water supply in Hull this morning, taps dry',
  'water supply off across Hull? whole street has dry taps',
  'still no water supply in Hull, when will it come back',
  'Hull water supply has been cut all morning, useless',
  'water supply dead in Hull, taps dry, kids need a bath',
  'water supply in Hull keeps stopping then cut completely',
  'whole of Hull without water supply? this is a joke',
  'Hull water supply cut off, taps dry since breakfast',
  'water supply totally off in Hull since 7am',
];
const EVERYDAY = ['my bill is wrong again', 'charged twice this month', 'meter reading is wrong', 'cannot log in to my account', 'the app keeps crashing', 'direct debit taken twice', 'leak reported last week still not fixed', 'refund still missing', 'engineer never showed up', 'price went up without notice'];
const TOWNS = ['Leeds', 'York', 'Bristol', 'Derby', 'Bath', 'Hereford'];

describe.each(dialects)('schedule, incident_detected and human conversation_updated rule triggers on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  const start = Date.UTC(2026, 10, 23, 9, 0);
  const clock = createManualClock(start);
  let app: TestApp;
  let channelId: string;
  let token: string;
  const http = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    app.http.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const createRule = async (body: Record<string, unknown>) => {
    const res = await http('POST', '/api/v1/rules', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };
  const ingestText = async (text: string, over: Parameters<typeof envelope>[1] = {}) => {
    const e = envelope(channelId, { text, createdAt: new Date(clock.now()).toISOString(), ...over });
    await app.services.ingest(parseEnvelopes([e]));
    await app.worker.drain();
    const [stored] = await app.repos.messages.findByExternalIds(channelId, [e.externalId]);
    return (await app.repos.conversations.get(stored!.conversationId!))!;
  };
  const runsOf = (ruleId: string) => app.repos.rules.runsFor({ ruleId }, 100);

  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect, { clock, incidents: { autoConfirmConfidence: 0.5 } });
    channelId = (await createChannel(app)).id;
    token = await tokenFor(app, (await createUser(app, 'admin')).id);
  });
  afterAll(async () => app?.dispose());

  it.skipIf(skip)('runs schedule rules every N minutes over the open conversations their conditions match', async () => {
    const ruleId = await createRule({
      name: 'Sweep unanswered invoices', trigger: 'schedule', everyMinutes: 30,
      conditions: { all: [{ field: 'message.text', op: 'contains', value: 'invoice' }, { field: 'conversation.firstResponseAt', op: 'eq', value: null }] },
      actions: [{ type: 'tag', tags: ['invoice-sweep'] }],
    });
    expect((await http('GET', `/api/v1/rules/${ruleId}`)).json()).toMatchObject({ trigger: 'schedule', everyMinutes: 30 });
    const matching = await ingestText('where is my invoice for October?', { threadKey: 'sched-1' });
    const other = await ingestText('thanks, all sorted now', { threadKey: 'sched-2' });
    expect(matching.tags).not.toContain('invoice-sweep');

    const scheduler = createRuleScheduler({ uow: app.uow, clock });
    await scheduler.tick();
    await app.worker.drain();
    expect((await app.repos.conversations.get(matching.id))!.tags).toContain('invoice-sweep');
    expect((await app.repos.conversations.get(other.id))!.tags).not.toContain('invoice-sweep');
    const first = await runsOf(ruleId);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ eventType: 'schedule', conversationId: matching.id });

    // Ten minutes later the rule is not due; after its interval it runs again.
    clock.advance(10 * MIN);
    await scheduler.tick();
    await app.worker.drain();
    expect(await runsOf(ruleId)).toHaveLength(1);
    clock.advance(21 * MIN);
    await scheduler.tick();
    await app.worker.drain();
    expect(await runsOf(ruleId)).toHaveLength(2);

    // A resolved conversation is no longer swept.
    await app.services.conversations.setStatus(matching.id, 'resolved', admin);
    clock.advance(31 * MIN);
    await scheduler.tick();
    await app.worker.drain();
    expect(await runsOf(ruleId)).toHaveLength(2);
  });

  it.skipIf(skip)('lifts a conversation waiting past the age floor on the scheduler tick, oldest first, until it is answered', async () => {
    const scheduler = createRuleScheduler({ uow: app.uow, clock });
    const t0 = clock.now();
    const older = await ingestText('what are your opening hours on Sunday?', { threadKey: 'floor-1', author: { platformId: 'fl1', handle: 'fl1', displayName: 'Fl 1', followers: 3, verified: false } });
    clock.advance(MIN);
    const newer = await ingestText('my parcel has not arrived yet, where is it?', { threadKey: 'floor-2', author: { platformId: 'fl2', handle: 'fl2', displayName: 'Fl 2', followers: 9_000_000, verified: true } });
    const spam = await ingestText('buy followers cheap, click here', { threadKey: 'floor-3', author: { platformId: 'fl3', handle: 'fl3', displayName: 'Fl 3', followers: 1, verified: false } });
    await app.repos.conversations.updateDecision({ ...spam, queue: 'spam', now: clock.now() });
    expect(older.priority).toBeLessThan(50);
    const { afterMinutes, score } = (await app.services.prioritySettings.get()).effective.ageFloor;

    clock.set(t0 + (afterMinutes - 1) * MIN);
    await scheduler.tick();
    await app.worker.drain();
    expect((await app.repos.conversations.get(older.id))!.priority).toBe(older.priority);

    clock.set(t0 + (afterMinutes + 6) * MIN);
    await scheduler.tick();
    await app.worker.drain();
    const [a, b] = [(await app.repos.conversations.get(older.id))!, (await app.repos.conversations.get(newer.id))!];
    expect(a.priority).toBeGreaterThanOrEqual(score);
    expect(a.priorityParts.map((p) => p.name)).toContain('age_floor');
    // The big account waited one minute less and gets no reach bonus while lifted: it stays behind.
    expect(b.priority).toBeGreaterThanOrEqual(score);
    expect(b.priority).toBeLessThanOrEqual(a.priority);
    expect(b.priorityParts.find((p) => p.name === 'reach')?.points).toBe(0);
    expect((await app.repos.conversations.get(spam.id))!.priority).toBe(spam.priority);

    // Answered: its response clock stops, and the floor no longer applies to it.
    await app.services.conversations.reply(older.id, { text: 'We open 10am to 4pm on Sundays.' }, admin);
    await app.services.sla.syncConversations([older.id]);
    await app.services.conversations.setStatus(newer.id, 'resolved', admin);
    const answered = (await app.repos.conversations.get(older.id))!.priority;
    clock.set(t0 + 14 * MIN);
    await scheduler.tick();
    await app.worker.drain();
    expect((await app.repos.conversations.get(older.id))!.priority).toBe(answered);
  });

  it.skipIf(skip)('refuses a schedule interval out of range, naming the field', async () => {
    const res = await http('POST', '/api/v1/rules', { name: 'Too often', trigger: 'schedule', everyMinutes: 0, actions: [{ type: 'tag', tags: ['x'] }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain('everyMinutes');
  });

  it.skipIf(skip)('runs conversation_updated rules on an assignment or status change made through the API, once, without looping', async () => {
    const agent = await createUser(app, 'agent', { status: 'away', skills: ['lang:en'] });
    const waiting = await createRule({
      name: 'Waiting on customer', trigger: 'conversation_updated',
      conditions: { all: [{ field: 'change.fields', op: 'eq', value: 'status' }, { field: 'conversation.status', op: 'eq', value: 'pending' }] },
      actions: [{ type: 'tag', tags: ['awaiting-customer'] }],
    });
    // Two rules that would feed each other forever: each tags on any update, which is itself an update.
    const ping = await createRule({ name: 'Ping', trigger: 'conversation_updated', conditions: { all: [{ field: 'conversation.assigneeId', op: 'exists', value: true }] }, actions: [{ type: 'tag', tags: ['ping'] }] });
    const pong = await createRule({ name: 'Pong', trigger: 'conversation_updated', conditions: { all: [{ field: 'conversation.tags', op: 'eq', value: 'ping' }] }, actions: [{ type: 'tag', tags: ['pong'] }] });

    const conv = await ingestText('my meter reading looks wrong', { threadKey: 'upd-1' });
    await app.services.conversations.setStatus(conv.id, 'pending', admin);
    await app.worker.drain();
    expect((await app.repos.conversations.get(conv.id))!.tags).toContain('awaiting-customer');
    const [run] = await runsOf(waiting);
    expect(run).toMatchObject({ eventType: 'conversation_updated', conversationId: conv.id, causation: { ruleIds: [waiting], depth: 1 } });

    const on = async (ruleId: string) => (await runsOf(ruleId)).filter((r) => r.conversationId === conv.id);
    const [pingsBefore, pongsBefore] = [(await on(ping)).length, (await on(pong)).length];
    await app.services.conversations.assign(conv.id, { assigneeId: agent.id }, admin);
    await app.worker.drain();
    const after = (await app.repos.conversations.get(conv.id))!;
    expect(after.tags).toEqual(expect.arrayContaining(['ping', 'pong', 'awaiting-customer']));
    // Ping fired on the person's change, Pong on Ping's; neither fired again on the other's effects.
    const [pings, pongs] = [await on(ping), await on(pong)];
    expect(pings).toHaveLength(pingsBefore + 1);
    expect(pongs).toHaveLength(pongsBefore + 1);
    expect(pongs.find((r) => r.causation.depth === 2)?.causation).toEqual({ ruleIds: [ping, pong], depth: 2 });
    // The waiting rule does not see the assignment as a status change.
    expect((await runsOf(waiting)).filter((r) => r.conversationId === conv.id)).toHaveLength(1);

    // Snoozing is a status change too.
    const snoozed = await createRule({ name: 'Snoozed', trigger: 'conversation_updated', conditions: { all: [{ field: 'conversation.status', op: 'eq', value: 'snoozed' }] }, actions: [{ type: 'tag', tags: ['was-snoozed'] }] });
    await app.services.conversations.snooze(conv.id, clock.now() + 60 * MIN, admin);
    await app.worker.drain();
    expect((await app.repos.conversations.get(conv.id))!.tags).toContain('was-snoozed');
    expect((await runsOf(snoozed))[0]).toMatchObject({ eventType: 'conversation_updated', conversationId: conv.id });
  });

  it.skipIf(skip)('runs incident_detected rules on the grouped conversations when the tracker suspects and confirms an incident', async () => {
    const ruleId = await createRule({
      name: 'Outage to the incident team', trigger: 'incident_detected',
      conditions: { all: [{ field: 'incident.status', op: 'eq', value: 'confirmed' }] },
      actions: [{ type: 'tag', tags: ['outage-team'] }],
    });
    const suspected = await createRule({ name: 'Mark suspected', trigger: 'incident_detected', conditions: { all: [{ field: 'incident.status', op: 'eq', value: 'suspected' }] }, actions: [{ type: 'tag', tags: ['incident-suspected'] }] });
    const burstAt = clock.now() + 24 * 60 * MIN;
    // A detector in service has history: half a day of everyday complaints is its baseline.
    const tracker = createIncidentTracker({ autoConfirmConfidence: null });
    const warm = Array.from({ length: 400 }, (_, i) => ({ id: newId(), channelId: 'warm', platform: 'x', text: `${EVERYDAY[(i * 7) % EVERYDAY.length]!} in ${TOWNS[(i * 5) % TOWNS.length]!}, account ${i % 11}`, at: burstAt - 12 * 60 * MIN + i * 100_000, isComplaint: true }));
    for (let i = 0; i < warm.length; i += 50) await app.uow((tx) => tracker.observe(tx, warm.slice(i, i + 50), burstAt, () => undefined));
    clock.set(burstAt + 10 * MIN);
    await app.services.ingest(parseEnvelopes(BURST.map((text, i) => envelope(channelId, { text: `@AcmeWater ${text}`, threadKey: `burst-${i}`, createdAt: new Date(burstAt + i * 20_000).toISOString() }))));
    await app.worker.drain();

    const [incident] = (await app.services.incidents.list({ limit: 10 })).items;
    expect(incident?.status).toBe('confirmed');
    const members = await app.repos.incidents.memberConversations(incident!.id);
    expect(members.length).toBeGreaterThanOrEqual(5);
    const tagged = (await app.repos.conversations.getMany(members)).filter((c) => c.tags.includes('outage-team'));
    expect(tagged.map((c) => c.id).sort()).toEqual([...members].sort());
    expect((await runsOf(ruleId)).every((r) => r.eventType === 'incident_detected')).toBe(true);
    expect((await runsOf(suspected)).length).toBeGreaterThan(0);
    // Conversations outside the incident are left alone.
    const outside = await app.repos.conversations.list({ status: 'open' }, null, 100);
    expect(outside.filter((c) => !members.includes(c.id) && c.tags.includes('outage-team'))).toEqual([]);
  });
});
