import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/server/platform/clock.js';
import { createRuleScheduler } from '../../src/server/pipeline/decide-events.js';
import { admin, createChannel, createTestApp, createUser, envelope, parseEnvelopes, tokenFor, type TestApp } from '../support/test-app.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';

const pgAvailable = await isPostgresAvailable();
const MIN = 60_000;
const FRIDAY_1630 = Date.UTC(2026, 10, 20, 16, 30);
const weekdays = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ open: '09:00', close: '17:00' }]]));

describe.each(dialects)('decide stage settings, SLAs, macros and equity on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  const clock = createManualClock(FRIDAY_1630);
  let app: TestApp;
  let channelId: string;
  let token: string;
  const http = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    app.http.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const ingestOne = async (over: Parameters<typeof envelope>[1] = {}) => {
    const e = envelope(channelId, { createdAt: new Date(clock.now()).toISOString(), ...over });
    await app.services.ingest(parseEnvelopes([e]));
    await app.worker.drain();
    const stored = await app.repos.messages.findByExternalIds(channelId, [e.externalId]);
    return (await app.repos.conversations.get(stored[0]!.conversationId!))!;
  };

  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect, { clock });
    channelId = (await createChannel(app)).id;
    token = await tokenFor(app, (await createUser(app, 'admin')).id);
  });
  afterAll(async () => app?.dispose());

  it.skipIf(skip)('rejects invalid priority weights as problem+json naming the field, and applies valid ones', async () => {
    const bad = await http('PUT', '/api/v1/settings/priority', { bands: { normal: 27 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toContain('bands.normal');
    const unknownKey = await http('PUT', '/api/v1/settings/priority', { severity: 3 });
    expect(unknownKey.statusCode).toBe(400);

    const ok = await http('PUT', '/api/v1/settings/priority', { intentSeverity: { outage: 0, technical: 0, other: 0 }, defaultIntentSeverity: 0 });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().effective.intentSeverity.outage).toBe(0);
    const conv = await ingestOne();
    expect(conv.priorityParts.find((p) => p.name === 'severity')?.points).toBe(0);
    expect((await http('PUT', '/api/v1/settings/priority', {})).statusCode).toBe(200);
    const after = await ingestOne();
    expect(after.priorityParts.find((p) => p.name === 'severity')?.points).toBeGreaterThan(0);
  });

  it.skipIf(skip)('runs first-response clocks in business hours, skipping holidays, and pauses while pending', async () => {
    const created = await http('POST', '/api/v1/sla-policies', {
      name: 'Office hours', businessHours: true, appliesTo: { channels: ['x'] },
      defaults: { firstResponseMinutes: 60, nextResponseMinutes: 30, resolutionMinutes: 2880 },
      calendar: { timeZone: 'UTC', hours: weekdays, holidays: ['2026-11-23'] },
    });
    expect(created.statusCode).toBe(201);
    const badCalendar = await http('POST', '/api/v1/sla-policies', { name: 'x', businessHours: true, defaults: { firstResponseMinutes: 1, nextResponseMinutes: 1, resolutionMinutes: 1 }, calendar: { timeZone: 'Mars/Olympus', hours: {}, holidays: [] } });
    expect(badCalendar.statusCode).toBe(400);
    expect(badCalendar.json().errors.map((e: { field: string }) => e.field)).toContain('calendar.timeZone');

    clock.set(FRIDAY_1630);
    const conv = await ingestOne({ threadKey: 'sla-1' });
    // 30 minutes on Friday, Monday is a holiday, the remaining 30 minutes on Tuesday from 09:00.
    expect(conv.slaDueAt).toBe(Date.UTC(2026, 10, 24, 9, 30));

    clock.set(Date.UTC(2026, 10, 24, 9, 10));
    await app.services.conversations.setStatus(conv.id, 'pending', admin);
    await app.services.sla.syncConversations([conv.id]);
    expect((await app.repos.conversations.get(conv.id))!.slaDueAt).toBeNull();
    const paused = (await app.services.sla.clocksOf(conv.id)).find((c) => c.metric === 'first_response');
    expect(paused!.pauses).toEqual([{ from: clock.now(), to: null }]);

    clock.set(Date.UTC(2026, 10, 24, 11, 10));
    await app.services.conversations.setStatus(conv.id, 'open', admin);
    await app.services.sla.syncConversations([conv.id]);
    // 40 minutes had run; 20 remain after the two-hour pause.
    expect((await app.repos.conversations.get(conv.id))!.slaDueAt).toBe(Date.UTC(2026, 10, 24, 11, 30));

    clock.set(Date.UTC(2026, 10, 24, 11, 20));
    await app.services.conversations.reply(conv.id, { text: 'Sorry about that, we are on it.' }, admin);
    await app.services.sla.syncConversations([conv.id]);
    const met = (await app.services.sla.clocksOf(conv.id)).find((c) => c.metric === 'first_response');
    expect(met!.metAt).toBe(clock.now());
    // A reply does not stop the resolution clock; it paused with the first-response clock while pending.
    const resolution = (await app.services.sla.clocksOf(conv.id)).find((c) => c.metric === 'resolution');
    expect(resolution).toMatchObject({ metAt: null, closedAt: null, pauses: [{ from: Date.UTC(2026, 10, 24, 9, 10), to: Date.UTC(2026, 10, 24, 11, 10) }] });

    clock.set(Date.UTC(2026, 10, 24, 12, 0));
    const again = await ingestOne({ threadKey: 'sla-1', kind: 'reply', text: 'still broken' });
    expect(again.id).toBe(conv.id);
    const clocks = await app.services.sla.clocksOf(conv.id);
    expect(clocks.map((c) => c.metric).sort()).toEqual(['first_response', 'next_response', 'resolution']);
    expect(again.slaDueAt).toBe(Date.UTC(2026, 10, 24, 12, 30));
  });

  it.skipIf(skip)('checks the clocks a batch starts in one job per second they fall due in, not one job each', async () => {
    const channel = await createChannel(app);
    clock.set(Date.UTC(2026, 10, 24, 9, 0, 0, 250));
    const batch = Array.from({ length: 30 }, (_, i) => envelope(channel.id, { threadKey: `burst-${i}`, createdAt: new Date(clock.now()).toISOString() }));
    // Past the earlier tests' requests: while requests arrive the embedded store's worker cuts batches to keep them
    // short (a loaded machine cut these 30 in two), and this is about what one batch schedules.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await app.services.ingest(parseEnvelopes(batch));
    await app.worker.drain();
    const stored = await app.repos.messages.findByExternalIds(channel.id, batch.map((e) => e.externalId));
    const conversationIds = new Set(stored.map((m) => m.conversationId!));
    expect(conversationIds.size).toBe(30);
    const clocks = [...(await app.repos.sla.openClocks([...conversationIds])).values()].flat().filter((c) => c.metric === 'first_response');
    expect(clocks).toHaveLength(30);
    const checks = (await app.store.db.selectFrom('jobs').select(['payload', 'run_at']).where('type', '=', 'decide.sla_check').where('status', '=', 'pending').execute())
      .map((j) => ({ clockIds: (JSON.parse(j.payload) as { clockIds: string[] }).clockIds, runAt: Number(j.run_at) }))
      .filter((j) => j.clockIds.some((id) => clocks.some((c) => c.id === id)));
    // The same opening instant, the same warning instant: one job, at the end of its second.
    expect(checks).toHaveLength(1);
    expect([...checks[0]!.clockIds].sort()).toEqual(clocks.map((c) => c.id).sort());
    expect(checks[0]!.runAt).toBe(Math.ceil(clocks[0]!.warnAt! / 1000) * 1000);
  });

  it.skipIf(skip)('warns before breach, fires sla_warning rules, escalates to the supervisor queue and reports attainment', async () => {
    const policy = await http('POST', '/api/v1/sla-policies', { name: 'Email fast', position: 0, businessHours: false, appliesTo: { channels: ['email'] }, defaults: { firstResponseMinutes: 10, nextResponseMinutes: 10, resolutionMinutes: 600 } });
    expect(policy.statusCode).toBe(201);
    const rule = await http('POST', '/api/v1/rules', { name: 'Flag at risk', trigger: 'sla_warning', actions: [{ type: 'tag', tags: ['warned-by-rule'] }] });
    expect(rule.statusCode).toBe(201);
    const email = await createChannel(app, 'email', ['support@acme.test']);
    clock.set(Date.UTC(2026, 10, 25, 10, 0));
    const mk = (n: number) => envelope(email.id, { kind: 'email', visibility: 'private', threadKey: `mail-${n}`, createdAt: new Date(clock.now()).toISOString(), author: { platformId: `m${n}`, handle: null, displayName: `Mail ${n}`, followers: 0, verified: false } });
    const [a, b] = [mk(1), mk(2)];
    await app.services.ingest(parseEnvelopes([a, b]));
    await app.worker.drain();
    const convA = (await app.repos.conversations.get((await app.repos.messages.findByExternalIds(email.id, [a.externalId]))[0]!.conversationId!))!;
    const convB = (await app.repos.conversations.get((await app.repos.messages.findByExternalIds(email.id, [b.externalId]))[0]!.conversationId!))!;
    expect(convA.slaDueAt).toBe(clock.now() + 10 * MIN);

    clock.advance(5 * MIN);
    await app.services.conversations.reply(convB.id, { text: 'Thanks for writing, looking now.' }, admin);
    await app.services.sla.syncConversations([convB.id]);
    clock.advance(4 * MIN);
    await app.worker.drain();
    const warned = (await app.repos.conversations.get(convA.id))!;
    expect(warned.tags).toEqual(expect.arrayContaining(['sla-risk', 'warned-by-rule']));
    expect(warned.queue).toBe('supervisor');
    expect((await app.repos.conversations.get(convB.id))!.tags).not.toContain('sla-risk');

    clock.advance(2 * MIN);
    await app.worker.drain();
    expect((await app.repos.conversations.get(convA.id))!.tags).toContain('sla-breached');
    const report = await http('GET', `/api/v1/reports/sla?from=${new Date(Date.UTC(2026, 10, 25)).toISOString()}&to=${new Date(Date.UTC(2026, 10, 26)).toISOString()}`);
    expect(report.statusCode).toBe(200);
    const row = report.json().policies.find((p: { policyName: string; metric: string }) => p.policyName === 'Email fast' && p.metric === 'first_response');
    expect(row).toMatchObject({ met: 1, breached: 1, pct: 50 });
  });

  it.skipIf(skip)('runs a resolution clock from opening to resolution, paused while pending, with warning, breach and attainment', async () => {
    const policy = await http('POST', '/api/v1/sla-policies', { name: 'Facebook resolution', position: 0, businessHours: false, appliesTo: { channels: ['facebook'] }, warnAtRatio: 0.5, defaults: { firstResponseMinutes: 600, nextResponseMinutes: 600, resolutionMinutes: 60 } });
    expect(policy.statusCode).toBe(201);
    const fb = await createChannel(app, 'facebook', ['fb-page']);
    const rule = await http('POST', '/api/v1/rules', { name: 'Resolution at risk', trigger: 'sla_warning', conditions: { all: [{ field: 'sla.metric', op: 'eq', value: 'resolution' }] }, actions: [{ type: 'tag', tags: ['resolution-risk'] }] });
    expect(rule.statusCode).toBe(201);
    const start = Date.UTC(2026, 10, 27, 10, 0);
    clock.set(start);
    const mk = (n: number) => envelope(fb.id, { threadKey: `res-${n}`, createdAt: new Date(clock.now()).toISOString(), author: { platformId: `fb${n}`, handle: `fb${n}`, displayName: `Fb ${n}`, followers: 5, verified: false } });
    const [a, b] = [mk(1), mk(2)];
    await app.services.ingest(parseEnvelopes([a, b]));
    await app.worker.drain();
    const idOf = async (e: typeof a) => (await app.repos.messages.findByExternalIds(fb.id, [e.externalId]))[0]!.conversationId!;
    const [convA, convB] = [await idOf(a), await idOf(b)];
    const resolutionOf = async (id: string) => (await app.services.sla.clocksOf(id)).find((c) => c.metric === 'resolution')!;
    expect(await resolutionOf(convA)).toMatchObject({ startedAt: start, dueAt: start + 60 * MIN, warnAt: start + 30 * MIN, metAt: null });

    // A answers and waits on the customer for 20 minutes: the resolution clock stops for those 20 minutes.
    clock.set(start + 10 * MIN);
    await app.services.conversations.reply(convA, { text: 'Could you send us your order number?' }, admin);
    await app.services.conversations.setStatus(convA, 'pending', admin);
    await app.services.sla.syncConversations([convA]);
    clock.set(start + 30 * MIN);
    await app.services.conversations.setStatus(convA, 'open', admin);
    await app.services.sla.syncConversations([convA]);
    expect((await resolutionOf(convA)).dueAt).toBe(start + 80 * MIN);

    // B is left alone: warned at half the target, breached at the target (the scheduler's minute sweeps long clocks).
    const scheduler = createRuleScheduler({ uow: app.uow, clock });
    clock.set(start + 31 * MIN);
    await app.worker.drain();
    expect((await app.repos.conversations.get(convB))!.tags).not.toContain('sla-risk');
    await scheduler.tick();
    await app.worker.drain();
    expect((await app.repos.conversations.get(convB))!.tags).toEqual(expect.arrayContaining(['sla-risk', 'resolution-risk']));
    clock.set(start + 61 * MIN);
    await scheduler.tick();
    await app.worker.drain();
    expect((await app.repos.conversations.get(convB))!.tags).toContain('sla-breached');
    expect((await resolutionOf(convB)).breachedAt).toBe(start + 61 * MIN);

    // A is resolved within its (paused) target: the clock stops, met.
    clock.set(start + 70 * MIN);
    await app.services.conversations.setStatus(convA, 'resolved', admin);
    await app.services.sla.syncConversations([convA]);
    expect(await resolutionOf(convA)).toMatchObject({ metAt: start + 70 * MIN, closedAt: start + 70 * MIN });
    expect((await app.repos.conversations.get(convA))!.slaDueAt).toBeNull();

    const report = await http('GET', `/api/v1/reports/sla?from=${new Date(start - 60 * MIN).toISOString()}&to=${new Date(start + 60 * MIN).toISOString()}`);
    const row = report.json().policies.find((p: { policyName: string; metric: string }) => p.policyName === 'Facebook resolution' && p.metric === 'resolution');
    expect(row).toMatchObject({ met: 1, breached: 1, pct: 50 });
  });

  it.skipIf(skip)('renders macros with variables and channel variants, and refuses unknown variables', async () => {
    clock.set(Date.UTC(2026, 10, 26, 10, 0));
    const conv = await ingestOne({ author: { platformId: 'mx1', handle: 'dana', displayName: 'Dana', followers: 10, verified: false } });
    const macro = await http('POST', '/api/v1/macros', { name: 'Sorry', body: 'Hello {{customer.name}}, we are sorry. Reference {{conversation.reference}}.', variants: { x: 'Sorry {{customer.handle}}! DM us.' } });
    expect(macro.statusCode).toBe(201);
    const id = macro.json().id as string;
    const onX = await http('POST', `/api/v1/macros/${id}/render`, { conversationId: conv.id });
    expect(onX.json()).toMatchObject({ ok: true, channel: 'x', text: 'Sorry @dana! DM us.' });
    const onEmail = await http('POST', `/api/v1/macros/${id}/render`, { conversationId: conv.id, channel: 'email' });
    expect(onEmail.json().text).toBe(`Hello Dana, we are sorry. Reference ${conv.id.slice(-8).toUpperCase()}.`);
    const unknown = await http('POST', '/api/v1/macros', { name: 'Bad', body: 'Hi {{customer.shoeSize}}' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0].field).toBe('body');
    const tooLong = await http('POST', '/api/v1/macros', { name: 'Long', body: 'x', variants: { x: `{{customer.name}} ${'a'.repeat(400)}` } });
    const long = await http('POST', `/api/v1/macros/${tooLong.json().id}/render`, { conversationId: conv.id });
    expect(long.json().ok).toBe(false);
    expect(long.json().errors[0].code).toBe('too_long');
  });

  it.skipIf(skip)('warns when a customer tier is answered measurably faster, and not on thin samples', async () => {
    const base = Date.UTC(2026, 9, 1, 12, 0);
    const db = app.store.db;
    for (let i = 0; i < 60; i++) {
      const vip = i % 2 === 0;
      const customerId = `eq-cu-${i}`;
      await db.insertInto('customers').values({ id: customerId, display_name: `c${i}`, handle: `c${i}`, followers: vip ? 250_000 : 300, verified: 0, tier: vip ? 'vip' : 'standard', fields: '{}', created_at: base, updated_at: base }).execute();
      const created = base + i * MIN;
      await db.insertInto('conversations').values({ id: `eq-cv-${i}`, channel_id: channelId, customer_id: customerId, thread_key: `eq-${i}`, visibility: 'public', last_message_at: created, created_at: created, updated_at: created, first_response_at: created + (vip ? 4 + (i % 3) : 30 + (i % 7)) * MIN }).execute();
    }
    const q = `from=${new Date(base).toISOString()}&to=${new Date(base + 2 * 60 * MIN).toISOString()}`;
    const res = await http('GET', `/api/v1/reports/equity?${q}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.conversations).toBe(60);
    expect(body.groups.tier.find((g: { key: string }) => g.key === 'vip').ttfrMedianMin).toBeLessThan(7);
    expect(body.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ dimension: 'tier', favoured: 'vip', compared: 'standard' }), expect.objectContaining({ dimension: 'followers', favoured: '100k+' })]));
    expect(body.goodwill).toBeNull();
    const thin = await http('GET', `/api/v1/reports/equity?${q}&minSamples=40`);
    expect(thin.json().warnings).toEqual([]);
  });
});
