import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type ParleyApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { createLogger } from '../../src/server/platform/logger.js';
import type { DomainEvent, EventMeta } from '../../src/server/platform/events.js';
import { createWriteLock, WriteLockTimeoutError } from '../../src/server/platform/write-lock.js';
import { createPostgresSchema, isPostgresAvailable } from '../support/stores.js';
import { admin, createChannel, createUser, envelope, parseEnvelopes, tokenFor } from '../support/test-app.js';

const pgAvailable = await isPostgresAvailable();

const until = async (check: () => Promise<boolean> | boolean, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('write lock', () => {
  it('is taken once at a time, released, and times out while held elsewhere', () => {
    const web = createWriteLock();
    const pipeline = createWriteLock(web.buffer, { priority: false });
    web.acquire();
    expect(() => pipeline.acquire(30)).toThrow(WriteLockTimeoutError);
    web.release();
    pipeline.acquire(30);
    expect(() => web.acquire(30)).toThrow(WriteLockTimeoutError);
    pipeline.release();
    web.acquire(30);
    web.release();
  });
});

/** `parley start` with web and worker in one process: the pipeline runs in its own thread over the same store. */
describe.each([
  ['sqlite', true],
  ['postgres', pgAvailable],
] as const)('pipeline thread (%s)', (dialect, available) => {
  let app: ParleyApp | null = null;
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    await app?.stop();
    app = null;
    for (const c of cleanups.splice(0)) await c();
  });

  it.skipIf(!available)('routes what the web thread acknowledges, relays its events, and reports its metrics', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'parley-thread-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const pg = dialect === 'postgres' ? await createPostgresSchema() : null;
    if (pg) cleanups.push(() => pg.drop());
    const config = loadConfig({ PARLEY_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', PARLEY_SECRET_KEY: 'b'.repeat(64), ...(pg ? { DATABASE_URL: pg.url } : {}) });
    app = await createApp({ config, logger: createLogger('silent'), serveSpa: false, pipelineThread: true });
    const channel = await createChannel(app);
    await createUser(app, 'agent', { status: 'online' });
    const user = await createUser(app, 'admin');
    const token = await tokenFor(app, user.id);
    const seen: { event: DomainEvent; meta: EventMeta }[] = [];
    app.events.subscribe((event, meta) => seen.push({ event, meta }));
    await app.start(['web', 'worker']);
    const address = app.http.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;

    const envelopes = Array.from({ length: 40 }, (_, i) => envelope(channel.id, { text: `How do I update the card on my account? Asking for the ${i + 1}th time` }));
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/messages`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ envelopes }) });
    expect(res.status).toBeLessThan(300);
    const running = app;
    await until(async () => ((await running.repos.messages.countByStage()).decided ?? 0) === 40);

    // The decide stage ran in the other thread: its events arrive here marked remote, for the live updates.
    await until(() => seen.some((s) => s.event.type === 'conversations.changed' && s.meta.remote));
    const page = await app.services.conversations.list({ limit: 50 }, admin);
    expect(page.items).toHaveLength(40);
    expect(page.items.some((c) => c.assigneeId !== null)).toBe(true);

    // /metrics adds the pipeline thread's stage figures to the web thread's own.
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/parley_stage_messages_total\{stage="pipeline\.decide"\} 40/);
    expect(metrics).toMatch(/parley_ingested_messages_total 40/);

    // The thread stops with the app, and a second ingest after restart is still processed once.
    await app.stop();
    app = await createApp({ config, logger: createLogger('silent'), serveSpa: false, pipelineThread: true });
    await app.start(['worker']);
    await app.services.ingest(parseEnvelopes([...envelopes.slice(0, 5), envelope(channel.id, { text: "still down here too" })]));
    const again = app;
    await until(async () => ((await again.repos.messages.countByStage()).decided ?? 0) === 41);
    // Two app starts, each with a second thread loading its own models.
  }, 180_000);
});
