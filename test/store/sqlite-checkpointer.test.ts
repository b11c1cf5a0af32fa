import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrateToLatest, openStore, type Store } from '../../src/server/db/database.js';
import { startCheckpointer } from '../../src/server/db/dialects/sqlite-checkpointer.js';

/** Commits never checkpoint the WAL themselves: the background thread copies pages into the database file. */
describe('SQLite background checkpoint', () => {
  let store: Store | null = null;
  let dir = '';
  afterEach(async () => {
    await store?.close();
    store = null;
    rmSync(dir, { recursive: true, force: true });
  });

  /** A WAL database of one table in a fresh directory, never checkpointed by its own commits. */
  const walTable = (name: string) => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'parley-ckpt-'));
    const file = path.join(dir, name);
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('create table t (id integer primary key, body text)');
    return { file, db, insert: db.prepare('insert into t (body) values (?)') };
  };

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
    // The writes went to the WAL; within a few checkpoint intervals they are in the database file too (the wait is
    // generous because a busy machine can starve the checkpoint thread; it ends as soon as the file grows).
    const until = Date.now() + 20_000;
    while (statSync(file).size <= before && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(statSync(file).size).toBeGreaterThan(before);
    const rows = await store.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(rows.n)).toBe(10_000);
  });

  it('starts the WAL over once it passes the restart size, so under steady writes the file stays small and is never cut down by a commit', async () => {
    const { file, db, insert } = walTable('wal.db');
    const checkpointer = startCheckpointer(file, { intervalMs: 10, restartPages: 256 });
    const body = 'x'.repeat(3000);
    // The WAL header's checkpoint sequence number (bytes 12-15) goes up each time a writer starts the WAL over,
    // which it does only after a checkpoint copied every frame back: the count of restarts, seen from outside.
    const header = Buffer.alloc(16);
    const sequence = (): number => {
      const fd = openSync(`${file}-wal`, 'r');
      try {
        readSync(fd, header, 0, 16, 0);
      } finally {
        closeSync(fd);
      }
      return header.readUInt32BE(12);
    };
    // Frames each WAL generation held before it was started over: one span per restart.
    const spans: number[] = [];
    let frames = 0;
    let written = 0;
    try {
      // The thread loads its own copy of the driver before its first pass.
      await new Promise((r) => setTimeout(r, 500));
      insert.run(body);
      let seen = sequence();
      // Steady writes, one page or more per commit, with the event loop free every 20 commits: at least 8,000
      // pages and five restarts, or 30 s. A machine busy with other tests can starve the checkpoint thread for a
      // while, which makes a few generations long; it does not make most of them long.
      const until = Date.now() + 30_000;
      while ((written < 8000 || spans.length < 5) && Date.now() < until) {
        insert.run(body);
        written += 1;
        frames += 1;
        const now = sequence();
        if (now !== seen) {
          spans.push(frames);
          seen = now;
          frames = 0;
        }
        if (written % 20 === 0) await new Promise((r) => setTimeout(r, 1));
      }
    } finally {
      await checkpointer.stop();
    }
    expect(Number(db.prepare('select count(*) from t').pluck().get())).toBe(written + 1);
    db.close();
    // Without restarts a steady writer never finds the WAL wholly copied back, so it would hold every page
    // written (over 32 MB); restarted past 256 pages, a typical generation is a few hundred pages.
    expect(spans.length).toBeGreaterThanOrEqual(5);
    const median = [...spans].sort((a, b) => a - b)[Math.floor(spans.length / 2)]!;
    expect(median).toBeLessThan(4 * 256);
  });

  it('never holds the writer back while a restart waits for a reader: it gives up at once and tries again later', async () => {
    const { file, db, insert } = walTable('reader.db');
    // As the app's connection runs: a busy lock fails at once, to be retried off the thread's clock.
    db.pragma('busy_timeout = 0');
    const body = 'x'.repeat(3000);
    for (let i = 0; i < 300; i += 1) insert.run(body);
    // A reader keeps an old snapshot open: a RESTART cannot finish until it ends.
    const reader = new Database(file);
    reader.exec('begin');
    reader.prepare('select count(*) from t').get();
    const checkpointer = startCheckpointer(file, { intervalMs: 10, restartPages: 256 });
    let attempts = 0;
    let refused = 0;
    try {
      // The thread loads its own copy of the driver before its first pass; then writes for a second.
      await new Promise((r) => setTimeout(r, 500));
      const until = Date.now() + 1000;
      while (Date.now() < until) {
        attempts += 1;
        try {
          insert.run(body);
        } catch (error) {
          if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
          refused += 1;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      reader.exec('commit');
    } finally {
      reader.close();
      await checkpointer.stop();
      db.close();
    }
    // A checkpoint that waited for the reader inside SQLite would hold the write lock all along: every write refused.
    expect(attempts).toBeGreaterThan(50);
    expect(refused / attempts).toBeLessThan(0.2);
  });
});
