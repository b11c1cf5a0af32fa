import { afterEach, describe, expect, it } from 'vitest';
import { createDemoSimulator } from '../../src/server/demo/simulator.js';
import { seedDemoWorkspace } from '../../src/server/demo/seed.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp | null = null;
afterEach(async () => {
  await app?.dispose();
  app = null;
});

describe('demo workspace and simulator', () => {
  it('seeds Acme Telecom once and feeds threaded, multi-platform traffic with an outage burst through the pipeline', async () => {
    app = await createTestApp();
    const seeded = await seedDemoWorkspace(app);
    expect(seeded.created).toBe(true);
    expect(new Set(seeded.logins.map((l) => l.role))).toEqual(new Set(['admin', 'supervisor', 'agent', 'analyst', 'moderator', 'approver']));
    expect((await app.services.teams.list()).map((t) => `${t.name}:${t.kind}`).sort()).toEqual(['Billing:service', 'Care:service', 'Social Marketing:marketing']);
    const again = await seedDemoWorkspace(app);
    expect(again).toMatchObject({ created: false, channels: seeded.channels });
    expect(again.logins.map((l) => l.password)).toEqual(seeded.logins.map((l) => l.password));

    let now = Date.parse('2026-11-23T09:00:00Z');
    const channels = seeded.channels;
    if (!channels) throw new Error('demo channels missing');
    const sim = createDemoSimulator({ ingest: (e) => app!.services.ingest(e), channels, clock: { now: () => now }, seed: 7, outageEveryMs: 60_000, outageDurationMs: 30_000 });
    // 150 steps a second apart: the burst starts at 20 s and lasts 30 s.
    for (let i = 0; i < 150; i += 1) {
      await sim.tick();
      now += 1000;
    }
    await app.refreshMarketingTeam();
    await app.worker.drain();

    const rows = await app.repos.messages.exportPage(null, 1000);
    expect(rows.length).toBe(sim.total);
    expect(rows.length).toBeGreaterThan(150);
    expect(new Set(rows.map((r) => r.channel_id))).toEqual(new Set([channels.x, channels.email, channels.reddit, channels.mastodon, channels.chat, channels.form, channels.phone]));
    expect(rows.some((r) => r.channel_id === channels.phone && r.kind === 'call')).toBe(true);
    expect(rows.every((r) => r.stage === 'decided')).toBe(true);
    const perConversation = new Map<string, number>();
    for (const r of rows) perConversation.set(r.conversation_id as string, (perConversation.get(r.conversation_id as string) ?? 0) + 1);
    expect([...perConversation.values()].filter((n) => n > 1).length).toBeGreaterThan(5);
    const burstCity = sim.outageCity(Date.parse('2026-11-23T09:00:25Z'));
    expect(burstCity).not.toBeNull();
    expect(rows.filter((r) => r.text.includes(burstCity as string)).length).toBeGreaterThan(20);
    expect(rows.some((r) => r.author_followers >= 250_000)).toBe(true);
    expect(rows.some((r) => r.spam === 1)).toBe(true);
  });
});
