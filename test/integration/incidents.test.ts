import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractTerms } from '../../src/server/correlate/incidents/normalise-text.js';
import { createIncidentTracker } from '../../src/server/pipeline/incidents.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';
import { createChannel, createTestApp, createUser, envelope, parseEnvelopes, tokenFor, type TestApp } from '../support/test-app.js';

const pgAvailable = await isPostgresAvailable();

const OUTAGE = [
  'fibre broadband down in Leeds again, no internet since 9am',
  'is the fibre broadband down in Leeds? nothing works at all',
  'Leeds fibre broadband outage for hours now, working from home is impossible',
  'no fibre broadband in Leeds this morning, router lights red',
  'fibre broadband down across Leeds? my whole street has no internet',
  'still no fibre broadband in Leeds, when will this be fixed',
  'Leeds fibre broadband has been down all morning, useless',
  'broadband fibre dead in Leeds, can not even check email',
  'fibre broadband in Leeds keeps dropping then down completely',
  'whole of Leeds without fibre broadband? this is a joke',
  'Leeds fibre broadband down, kids cannot do homework',
  'fibre broadband totally down in Leeds since breakfast',
];
const UNRELATED = [
  'you charged me twice for my phone bill this month',
  'my parcel never arrived and tracking says delivered',
  'cannot log in to my account, password reset email never comes',
  'the new router you sent me is broken out of the box',
];

const TOPICS = ['my bill is wrong again', 'charged twice this month', 'parcel never arrived', 'cannot log in to my account', 'the app keeps crashing', 'router is broken', 'mobile signal is weak', 'refund still missing', 'engineer never showed up', 'contract price went up', 'tv box freezes', 'password reset email never comes', 'broadband slow in the evening', 'sim card not activated', 'upgrade order cancelled'];
const PLACES = ['Leeds', 'Bristol', 'Glasgow', 'Cardiff', 'London', 'Norwich', 'York'];

/** A detector in service has history: a quiet half day of everyday complaints gives it its baseline. */
const warmUp = async (app: TestApp, before: number): Promise<void> => {
  const tracker = createIncidentTracker({ autoConfirmConfidence: null });
  const messages = Array.from({ length: 400 }, (_, i) => ({
    id: `warm-${i}`,
    channelId: 'warm',
    platform: 'x',
    text: `${TOPICS[(i * 7) % TOPICS.length]!} in ${PLACES[(i * 3) % PLACES.length]!}, order ${i % 13}`,
    at: before - 12 * 3_600_000 + i * 100_000,
    isComplaint: true,
  }));
  for (let i = 0; i < messages.length; i += 50) await app.uow((tx) => tracker.observe(tx, messages.slice(i, i + 50), Date.now(), () => undefined));
};

describe.each(dialects)('incidents on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  let supervisor: string;
  let agent: string;
  const start = Date.now() - 10 * 60_000;

  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect, { incidents: { autoConfirmConfidence: null } });
    const x = (await createChannel(app, 'x')).id;
    const email = (await createChannel(app, 'email', ['support@acme.test'])).id;
    await createUser(app, 'agent', { status: 'online', skills: ['lang:en'] });
    supervisor = await tokenFor(app, (await createUser(app, 'supervisor')).id);
    agent = await tokenFor(app, (await createUser(app, 'agent')).id);
    await warmUp(app, start);
    const envelopes = [
      ...OUTAGE.map((text, i) => (i % 3 === 2
        ? envelope(email, { kind: 'email', visibility: 'private', text, author: { platformId: `c${i}@mail.test`, handle: null, displayName: `Leeds Customer ${i}`, email: `c${i}@mail.test` }, threadKey: `mail-${i}`, createdAt: new Date(start + i * 20_000).toISOString() })
        : envelope(x, { text: `@AcmeTelecom ${text}`, createdAt: new Date(start + i * 20_000).toISOString() }))),
      ...UNRELATED.map((text, i) => envelope(x, { text: `@AcmeTelecom ${text}`, createdAt: new Date(start + i * 30_000 + 5_000).toISOString() })),
    ];
    await app.services.ingest(parseEnvelopes(envelopes));
    await app.worker.drain();
  });
  afterAll(async () => app?.dispose());

  const get = (url: string, token = supervisor) => app.http.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  const post = (url: string, payload: unknown, token = supervisor) => app.http.inject({ method: 'POST', url, payload: payload as object, headers: { authorization: `Bearer ${token}` } });

  it.skipIf(skip)('groups the burst into one suspected incident, explained by its terms, without the unrelated complaints', async () => {
    const list = await get('/api/v1/incidents');
    expect(list.statusCode).toBe(200);
    const items = list.json().items as { id: string; status: string; terms: string[]; memberCount: number; channels: Record<string, number> }[];
    expect(items).toHaveLength(1);
    const incident = items[0]!;
    expect(incident.status).toBe('suspected');
    expect(incident.memberCount).toBeGreaterThanOrEqual(10);
    expect(incident.terms.join(' ')).toMatch(/fibre|broadband|leeds/);
    expect(Object.keys(incident.channels)).toHaveLength(2);

    const detail = (await get(`/api/v1/incidents/${incident.id}`)).json() as { members: { text: string; conversationId: string }[]; incident: { window: { from: string; to: string } } };
    expect(detail.members.length).toBe(incident.memberCount);
    for (const m of detail.members) expect(m.text.toLowerCase()).toContain('leeds');
    expect(Date.parse(detail.incident.window.to)).toBeGreaterThan(Date.parse(detail.incident.window.from));
    const withIncident = await app.store.db.selectFrom('conversations').select('id').where('incident_id', '=', incident.id).execute();
    expect(withIncident.length).toBe(new Set(detail.members.map((m) => m.conversationId)).size);
  });

  it.skipIf(skip)('restores the detector from the store: replays change nothing, new matching messages join the same incident', async () => {
    const [incident] = (await app.services.incidents.list({ limit: 10 })).items;
    const members = await app.repos.incidents.members(incident!.id, 100);
    const fresh = createIncidentTracker({ autoConfirmConfidence: null });
    const asInput = (id: string, text: string, at: number) => ({ id, channelId: 'c', platform: 'x', text, at, isComplaint: true });
    const replayed = await app.uow((tx) => fresh.observe(tx, members.map((m) => asInput(m.messageId, m.text, m.createdAt)), Date.now(), () => undefined));
    expect(replayed).toEqual([]);
    const late = await app.uow((tx) => fresh.observe(tx, [asInput('late-1', 'fibre broadband still down in Leeds, any update?', start + 12 * 20_000)], Date.now(), () => undefined));
    expect(late.map((e) => [e.type, e.incidentId])).toEqual([['member_added', incident!.id]]);
    expect((await app.repos.incidents.get(incident!.id))!.memberCount).toBe(incident!.memberCount + 1);
  });

  it.skipIf(skip)('lets a supervisor confirm, acknowledge once per member conversation, and resolve; agents may only read', async () => {
    const [incident] = (await app.services.incidents.list({ limit: 10 })).items;
    const id = incident!.id;
    expect((await post(`/api/v1/incidents/${id}/confirm`, {}, agent)).statusCode).toBe(403);
    const confirmed = await post(`/api/v1/incidents/${id}/confirm`, {});
    expect(confirmed.json()).toMatchObject({ status: 'confirmed' });

    const conversations = await app.repos.incidents.memberConversations(id);
    const ack = await post(`/api/v1/incidents/${id}/acknowledge`, { text: 'We know about the broadband outage in Leeds and engineers are on it.' });
    expect(ack.statusCode).toBe(202);
    expect(ack.json()).toMatchObject({ queued: conversations.length, skipped: 0 });
    const again = await post(`/api/v1/incidents/${id}/acknowledge`, { text: 'We know about the broadband outage in Leeds and engineers are on it.' });
    expect(again.json()).toMatchObject({ queued: 0, skipped: conversations.length });
    const rows = await app.store.db.selectFrom('outbox').select(['idempotency_key', 'payload', 'channel_id']).where('idempotency_key', 'like', `incident:${id}:ack:%`).execute();
    expect(rows.map((r) => r.idempotency_key).sort()).toEqual(conversations.map((c) => `incident:${id}:ack:${c}`).sort());
    const payloads = rows.map((r) => JSON.parse(r.payload) as { text: string });
    expect(payloads.some((p) => p.text.startsWith('@'))).toBe(true);
    expect(payloads.some((p) => p.text.startsWith('Hello '))).toBe(true);

    const status = await app.http.inject({ method: 'GET', url: '/p/status' });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({ incidents: [{ id, acknowledgement: 'We know about the broadband outage in Leeds and engineers are on it.' }] });
    const html = await app.http.inject({ method: 'GET', url: '/p/status', headers: { accept: 'text/html' } });
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.body).toContain('engineers are on it');

    const blocked = await post(`/api/v1/incidents/${id}/resolve`, { text: 'Fixed! Call me on 07700 900123 or write to jane.doe@example.com' });
    expect(blocked.statusCode).toBe(422);
    const resolved = await post(`/api/v1/incidents/${id}/resolve`, { text: 'Broadband in Leeds is back. Sorry for the trouble.' });
    expect(resolved.json()).toMatchObject({ incident: { status: 'resolved' }, queued: conversations.length });
    expect((await app.http.inject({ method: 'GET', url: '/p/status' })).json()).toEqual({ incidents: [] });
    const audit = await app.store.db.selectFrom('audit_log').select('action').where('target_id', '=', id).execute();
    expect(audit.map((a) => a.action)).toEqual(['incident.confirm', 'incident.acknowledge', 'incident.acknowledge', 'incident.resolve']);
  });

  it.skipIf(skip)('answers 404 for an unknown incident', async () => {
    expect((await get('/api/v1/incidents/nope')).statusCode).toBe(404);
  });
});

describe.each(dialects)('incident auto-confirm on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  it.skipIf(skip)('confirms an incident by itself above the configured confidence', async () => {
    const app = await createTestApp(dialect, { incidents: { autoConfirmConfidence: 0.5 } });
    try {
      const x = (await createChannel(app, 'x')).id;
      const start = Date.now() - 10 * 60_000;
      await warmUp(app, start);
      await app.services.ingest(parseEnvelopes(OUTAGE.map((text, i) => envelope(x, { text: `@AcmeTelecom ${text}`, createdAt: new Date(start + i * 20_000).toISOString() }))));
      await app.worker.drain();
      const { items } = await app.services.incidents.list({ limit: 10 });
      expect(items.map((i) => i.status)).toEqual(['confirmed']);
    } finally {
      await app.dispose();
    }
  });
});

describe.each(dialects)('posts during a confirmed incident on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  it.skipIf(skip)('joins matching outage posts to it and acknowledges them, and acknowledges members arriving after the acknowledgement, once', async () => {
    const app = await createTestApp(dialect, { incidents: { autoConfirmConfidence: null } });
    try {
      const x = (await createChannel(app, 'x')).id;
      await createUser(app, 'agent', { status: 'online', skills: ['lang:en'] });
      const now = Date.now();
      // A confirmed, acknowledged incident (the detector has no history in this store, so it groups nothing by itself).
      await app.uow(async (tx) => {
        await tx.incidents.upsert({ id: 'inc-leeds', terms: extractTerms('fibre broadband down in Leeds'), triggerTerms: ['broadband', 'leed'], window: { from: now - 20 * 60_000, to: now - 60_000 }, confidence: 0.99, memberCount: 40, channels: { [x]: 40 }, platforms: { x: 40 }, suspectedAt: now - 15 * 60_000 }, now);
        await tx.incidents.setStatus('inc-leeds', 'confirmed', null, now);
        await tx.incidents.setAcknowledgement('inc-leeds', 'We know about the broadband outage in Leeds and engineers are on it.', now);
      });
      const stray = envelope(x, { text: '@AcmeTelecom is the fibre broadband down in Leeds? nothing loads', createdAt: new Date(now).toISOString() });
      const bill = envelope(x, { text: '@AcmeTelecom you charged me twice for my phone bill this month', createdAt: new Date(now).toISOString() });
      const vague = envelope(x, { text: '@AcmeTelecom is your network down? nothing works', createdAt: new Date(now).toISOString() });
      await app.services.ingest(parseEnvelopes([stray, bill, vague]));
      await app.worker.drain();
      const conv = async (externalId: string) => {
        const m = await app.store.db.selectFrom('messages').select(['conversation_id', 'incident_id']).where('external_id', '=', externalId).executeTakeFirstOrThrow();
        const c = await app.repos.conversations.get(m.conversation_id!);
        return { message: m, conversation: c!, acks: await app.store.db.selectFrom('outbox').select('payload').where('idempotency_key', '=', `incident:inc-leeds:ack:${c!.id}`).execute() };
      };
      const joined = await conv(stray.externalId);
      expect(joined.message.incident_id).toBe('inc-leeds');
      expect(joined.conversation).toMatchObject({ incidentId: 'inc-leeds', assigneeId: null });
      expect(joined.conversation.firstResponseAt).not.toBeNull();
      expect(joined.acks).toHaveLength(1);
      expect((JSON.parse(joined.acks[0]!.payload) as { text: string }).text).toMatch(/^@\S+ We know about the broadband outage in Leeds/);
      const clocks = await app.repos.sla.clocksOf(joined.conversation.id);
      expect(clocks.filter((c) => c.metric !== 'resolution' && c.closedAt === null)).toEqual([]);
      for (const other of [await conv(bill.externalId), await conv(vague.externalId)]) {
        expect(other.message.incident_id).toBeNull();
        expect(other.acks).toHaveLength(0);
        expect(other.conversation.assigneeId).not.toBeNull();
      }

      // A conversation grouped into the incident after the acknowledgement went out: its next post gets it, once.
      const late = await conv(bill.externalId);
      const billId = (await app.store.db.selectFrom('messages').select('id').where('external_id', '=', bill.externalId).executeTakeFirstOrThrow()).id;
      await app.uow((tx) => tx.incidents.attachMembers('inc-leeds', [billId]));
      const follow = () => envelope(x, { text: '@AcmeTelecom hello?? still waiting', inReplyTo: bill.externalId, author: bill.author, createdAt: new Date(Date.now()).toISOString() });
      await app.services.ingest(parseEnvelopes([follow()]));
      await app.worker.drain();
      expect((await conv(bill.externalId)).acks).toHaveLength(1);
      expect((await conv(bill.externalId)).conversation.id).toBe(late.conversation.id);
      // The list row shows the acknowledgement as the last message, after the post it answers: nothing unread.
      expect((await conv(bill.externalId)).conversation).toMatchObject({ messageCount: 3, lastMessageDirection: 'out', unreadCount: 0 });
      await app.services.ingest(parseEnvelopes([follow()]));
      await app.worker.drain();
      expect((await conv(bill.externalId)).acks).toHaveLength(1);
      const fromDecide = await app.store.db.selectFrom('outbox').select('idempotency_key').where('idempotency_key', 'like', 'incident:inc-leeds:ack:%').execute();
      expect(fromDecide).toHaveLength(2);

      // An agent attaches a stray the rule left out: it joins and is acknowledged at once, once.
      const agentToken = await tokenFor(app, (await createUser(app, 'agent')).id);
      const attach = (conversationId: string) => app.http.inject({ method: 'POST', url: '/api/v1/incidents/inc-leeds/members', payload: { conversationId }, headers: { authorization: `Bearer ${agentToken}` } });
      const stray2 = await conv(vague.externalId);
      const first = await attach(stray2.conversation.id);
      expect(first.statusCode).toBe(200);
      expect(first.json()).toMatchObject({ attached: true, acknowledged: true });
      expect((await conv(vague.externalId)).message.incident_id).toBe('inc-leeds');
      expect((await conv(vague.externalId)).acks).toHaveLength(1);
      expect((await attach(stray2.conversation.id)).json()).toMatchObject({ attached: false, acknowledged: false });
      const unknown = await attach('no-such-conversation');
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toMatchObject({ code: 'conversation_not_found', errors: [{ field: 'conversationId' }] });
    } finally {
      await app.dispose();
    }
  });
});

/**
 * An outage found in a batch of public posts only: chained, decide inserts the conversations a batch opens, but
 * the members' conversations must carry the incident found while correlating, as they do when correlate inserts them.
 */
describe.each(dialects)('an incident found in a batch of public posts on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  const start = Date.now() - 10 * 60_000;

  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect, { incidents: { autoConfirmConfidence: null } });
    const x = (await createChannel(app, 'x')).id;
    await warmUp(app, start);
    await app.services.ingest(parseEnvelopes(OUTAGE.map((text, i) => envelope(x, { text: `@AcmeTelecom ${text}`, createdAt: new Date(start + i * 20_000).toISOString() }))));
    await app.worker.drain();
  });
  afterAll(async () => app?.dispose());

  it.skipIf(skip)('marks every member’s conversation with the incident', async () => {
    const [incident] = await app.repos.incidents.list({}, null, 10);
    expect(incident).toBeDefined();
    const members = await app.repos.incidents.members(incident!.id, 100);
    expect(members.length).toBeGreaterThanOrEqual(10);
    const marked = await app.store.db.selectFrom('conversations').select('id').where('incident_id', '=', incident!.id).execute();
    expect(marked.map((c) => c.id).sort()).toEqual([...new Set(members.map((m) => m.conversationId!))].sort());
  });
});
