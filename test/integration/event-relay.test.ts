import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type ParleyApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { splitForNotify } from '../../src/server/db/pg-event-relay.js';
import { createLogger } from '../../src/server/platform/logger.js';
import type { DomainEvent, EventMeta } from '../../src/server/platform/events.js';
import { createPostgresSchema, isPostgresAvailable } from '../support/stores.js';
import { testClassifier } from '../support/test-app.js';

const pgAvailable = await isPostgresAvailable();

// NOTIFY crosses PostgreSQL and another connection: generous on a busy machine, and it returns as soon as it holds.
const until = async (check: () => boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('splitForNotify', () => {
  it('keeps small events whole and halves long id lists until each part fits', () => {
    const small: DomainEvent = { type: 'conversations.changed', conversationIds: ['a', 'b'] };
    expect(splitForNotify(small)).toEqual([small]);
    const ids = Array.from({ length: 2000 }, (_, i) => `01JCONVERSATION${String(i).padStart(10, '0')}`);
    const parts = splitForNotify({ type: 'conversations.changed', conversationIds: ids });
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(JSON.stringify(p).length).toBeLessThanOrEqual(7000);
    expect(parts.flatMap((p) => (p.type === 'conversations.changed' ? p.conversationIds : []))).toEqual(ids);
  });
});

/** Two Parley processes on one PostgreSQL database, as scale mode runs them. */
describe.skipIf(!pgAvailable)('live events across processes on PostgreSQL', () => {
  let schema: Awaited<ReturnType<typeof createPostgresSchema>>;
  let other: Awaited<ReturnType<typeof createPostgresSchema>>;
  const apps: ParleyApp[] = [];
  const dirs: string[] = [];
  const start = async (url: string) => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'parley-relay-'));
    dirs.push(dataDir);
    const app = await createApp({ config: loadConfig({ PARLEY_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', DATABASE_URL: url, PARLEY_SECRET_KEY: 'a'.repeat(64) }), logger: createLogger('silent'), classifier: testClassifier(), serveSpa: false });
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    schema = await createPostgresSchema();
    other = await createPostgresSchema();
  });
  afterAll(async () => {
    for (const app of apps) await app.stop();
    await schema?.drop();
    await other?.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("delivers one process's events to the others once, marked remote, and never across workspaces", async () => {
    const web = await start(schema.url);
    const worker = await start(schema.url);
    const elsewhere = await start(other.url);
    const seen: { event: DomainEvent; meta: EventMeta }[] = [];
    const seenElsewhere: DomainEvent[] = [];
    const seenByWorker: { event: DomainEvent; meta: EventMeta }[] = [];
    web.events.subscribe((event, meta) => seen.push({ event, meta }));
    worker.events.subscribe((event, meta) => seenByWorker.push({ event, meta }));
    elsewhere.events.subscribe((event) => seenElsewhere.push(event));

    worker.events.publish({ type: 'conversations.changed', conversationIds: ['c1', 'c2'] });
    await until(() => seen.length === 1);
    expect(seen[0]).toEqual({ event: { type: 'conversations.changed', conversationIds: ['c1', 'c2'] }, meta: { remote: true } });
    // The publisher hears its own event once, locally, not again through the database.
    expect(seenByWorker).toEqual([{ event: { type: 'conversations.changed', conversationIds: ['c1', 'c2'] }, meta: { remote: false } }]);

    web.events.publish({ type: 'presence', conversationId: 'c1', userId: 'u1', state: 'typing' });
    await until(() => seenByWorker.length === 2);
    expect(seenByWorker[1]).toEqual({ event: { type: 'presence', conversationId: 'c1', userId: 'u1', state: 'typing' }, meta: { remote: true } });

    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toHaveLength(2);
    expect(seenElsewhere).toEqual([]);
  });
});
