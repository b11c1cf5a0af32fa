import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest, openStore, type Store } from '../../src/server/db/database.js';

/** Commits never checkpoint the WAL themselves: the background thread copies pages into the database file. */
describe('SQLite background checkpoint', () => {
  let store: Store | null = null;
  let dir = '';
  afterEach(async () => {
    await store?.close();
    store = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('moves committed pages from the WAL into the database file without a commit doing it, and closes cleanly', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'parley-ckpt-'));
    const file = path.join(dir, 'parley.db');
    store = openStore({ databaseUrl: null, dataDir: dir });
    await migrateToLatest(store);
    await new Promise((r) => setTimeout(r, 600));
    const before = statSync(file).size;
    const now = Date.now();
    for (let t = 0; t < 20; t += 1) {
      await store.db.transaction().execute(async (tx) => {
        for (let k = 0; k < 10; k += 1) {
          await tx.insertInto('jobs').values(Array.from({ length: 50 }, (_, i) => ({ id: `j-${t}-${k}-${i}`, type: 'pipeline.understand', payload: JSON.stringify({ messageIds: Array.from({ length: 20 }, (__, n) => `m-${t}-${k}-${i}-${n}`) }), status: 'ready', attempts: 0, max_attempts: 5, run_at: now, created_at: now, updated_at: now }))).execute();
        }
      });
    }
    // The writes went to the WAL; within a few checkpoint intervals they are in the database file too.
    const until = Date.now() + 5000;
    while (statSync(file).size <= before && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(statSync(file).size).toBeGreaterThan(before);
    const rows = await store.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(rows.n)).toBe(10_000);
  });
});
