import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest, openStore, type Store } from '../../src/server/db/database.js';

/** A lock held by another connection (another process, the checkpoint thread) is waited for off the event loop. */
describe('SQLite lock waits', () => {
  let store: Store | null = null;
  let dir = '';
  afterEach(async () => {
    await store?.close();
    store = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('waits for another connection’s write lock with the event loop free, then writes', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'parley-locks-'));
    store = openStore({ databaseUrl: null, dataDir: dir });
    await migrateToLatest(store);
    const other = new Database(path.join(dir, 'parley.db'));
    other.exec('begin immediate');
    const now = Date.now();
    const row = { id: 'j-1', type: 'pipeline.understand', payload: '{}', status: 'ready', attempts: 0, max_attempts: 5, run_at: now, created_at: now, updated_at: now };
    let written = false;
    const write = store.db.transaction().execute(async (tx) => tx.insertInto('jobs').values(row).execute()).then(() => {
      written = true;
    });
    // Timers run while the write waits: the thread is not asleep inside SQLite's busy handler.
    for (let tick = 0; tick < 10; tick += 1) await new Promise((r) => setTimeout(r, 5));
    expect(written).toBe(false);
    other.exec('commit');
    other.close();
    await write;
    const stored = await store.db.selectFrom('jobs').select('id').execute();
    expect(stored.map((r) => r.id)).toEqual(['j-1']);
  });
});
