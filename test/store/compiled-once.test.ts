import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { compiledArrayReads, compiledOnce, compiledRows, rowCountParts, type Executor } from '../../src/server/repositories/executor.js';
import { createChannel, createTestApp, type TestApp } from '../support/test-app.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';

const pgAvailable = await isPostgresAvailable();

describe.each(dialects)('compiledOnce, compiledRows and compiledArrayReads on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect);
    await createChannel(app, 'x');
    await createChannel(app, 'email');
  });
  afterAll(async () => app?.dispose());

  // A constant of the query itself ('removed') sits between the two arguments, which appear in another order.
  const query = compiledOnce((db: Executor, name: string, platform: string) =>
    db.selectFrom('channels').select(['name', 'platform']).where('platform', '=', platform).where('status', '!=', 'removed').where('name', '=', name),
  );

  it.skipIf(skip)('runs the SQL compiled on first use with each call’s own arguments, inside a transaction too', async () => {
    expect(await query(app.store.db, 'Acme x', 'x')).toEqual([{ name: 'Acme x', platform: 'x' }]);
    expect(await query(app.store.db, 'Acme email', 'email')).toEqual([{ name: 'Acme email', platform: 'email' }]);
    expect(await query(app.store.db, 'Acme email', 'x')).toEqual([]);
    await app.store.db.transaction().execute(async (tx) => {
      expect(await query(tx, 'Acme x', 'x')).toEqual([{ name: 'Acme x', platform: 'x' }]);
    });
  });

  it.skipIf(skip)('refuses a build that does not pass every argument as a parameter', async () => {
    const broken = compiledOnce((db: Executor, _unused: string) => db.selectFrom('channels').select('name'));
    await expect(broken(app.store.db, 'x')).rejects.toThrow(/every value must appear once/);
  });

  // Rows of settings: a constant of the statement (the 'z' suffix) sits between each row's two values.
  const insertSettings = compiledRows(2, (db: Executor, rows) =>
    db.insertInto('settings').values(rows.map((r) => ({ key: r[0] as string, value: sql<string>`${r[1]} || 'z'`, updated_at: 1 }))),
  );
  const renameSettings = compiledRows(2, (_db: Executor, rows) => {
    const values = sql.join(rows.map((r) => sql`(${r[0]}, ${r[1]})`));
    return sql`update settings set value = v.column2 from (values ${values}) as v where settings.key = v.column1`;
  });
  const settingsOf = async (keys: string[]) =>
    (await app.store.db.selectFrom('settings').select(['key', 'value']).where('key', 'in', keys).orderBy('key').execute()).map((r) => [r.key, r.value]);

  it.skipIf(skip)('runs a multi-row statement compiled once per row count with each call’s own rows, built by Kysely or with sql', async () => {
    await insertSettings(app.store.db, [['rows-a', '1'], ['rows-b', '2']]);
    await insertSettings(app.store.db, [['rows-c', '3'], ['rows-d', '4']]);
    await insertSettings(app.store.db, [['rows-e', '5']]);
    expect(await settingsOf(['rows-a', 'rows-b', 'rows-c', 'rows-d', 'rows-e'])).toEqual([['rows-a', '1z'], ['rows-b', '2z'], ['rows-c', '3z'], ['rows-d', '4z'], ['rows-e', '5z']]);
    await app.store.db.transaction().execute(async (tx) => {
      await renameSettings(tx, [['rows-a', 'x'], ['rows-c', 'y']]);
      await renameSettings(tx, [['rows-e', 'w'], ['rows-b', 'v']]);
    });
    expect(await settingsOf(['rows-a', 'rows-b', 'rows-c', 'rows-e'])).toEqual([['rows-a', 'x'], ['rows-b', 'v'], ['rows-c', 'y'], ['rows-e', 'w']]);
    expect(await insertSettings(app.store.db, [])).toEqual([]);
  });

  it.skipIf(skip)('runs any number of rows as statements of a few fixed sizes, returning every row', async () => {
    const insertReturning = compiledRows(2, (db: Executor, rows) => db.insertInto('settings').values(rows.map((r) => ({ key: r[0] as string, value: r[1] as string, updated_at: 1 }))).returning('key'));
    const keys = Array.from({ length: 137 }, (_, i) => `many-${String(i).padStart(3, '0')}`);
    const returned = await insertReturning(app.store.db, keys.map((k, i) => [k, String(i)]));
    expect(returned.map((r) => r.key).sort()).toEqual(keys);
    expect((await settingsOf(keys)).map(([, value]) => Number(value))).toEqual(keys.map((_, i) => i));
  });

  it.skipIf(skip)('refuses rows of the wrong width and a build that drops a value', async () => {
    await expect(insertSettings(app.store.db, [['rows-f', '6', 'extra']])).rejects.toThrow(/3 values, not 2/);
    const dropping = compiledRows(2, (db: Executor, rows) => db.insertInto('settings').values(rows.map((r) => ({ key: r[0] as string, value: 'fixed', updated_at: 1 }))));
    await expect(dropping(app.store.db, [['rows-g', 'ignored']])).rejects.toThrow(/every value must appear once/);
  });

  const readChannels = compiledArrayReads(['platform', 'name'], (db: Executor, names) => db.selectFrom('channels').select(['platform', 'name']).where('name', 'in', names as string[]).orderBy('name'));

  it.skipIf(skip)('reads rows as arrays in the order of the columns, and leaves the same statement returning objects elsewhere', async () => {
    expect(await readChannels(app.store.db, ['Acme x', 'Acme email'])).toEqual([['email', 'Acme email'], ['x', 'Acme x']]);
    expect(await readChannels(app.store.db, ['Acme x'])).toEqual([['x', 'Acme x']]);
    expect(await readChannels(app.store.db, [])).toEqual([]);
    // The same SQL through Kysely (the embedded store caches the statement by its text): still one object per row.
    const objects = await app.store.db.selectFrom('channels').select(['platform', 'name']).where('name', 'in', ['Acme x', 'Acme email']).orderBy('name').execute();
    expect(objects).toEqual([{ platform: 'email', name: 'Acme email' }, { platform: 'x', name: 'Acme x' }]);
    await app.store.db.transaction().execute(async (tx) => {
      expect(await readChannels(tx, ['Acme email'])).toEqual([['email', 'Acme email']]);
    });
  });
});

describe.skipIf(!pgAvailable)('compiledRows on postgres', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp('postgres');
  });
  afterAll(async () => app?.dispose());

  const insertSettings = compiledRows(2, (db: Executor, rows) => db.insertInto('settings').values(rows.map((r) => ({ key: r[0] as string, value: r[1] as string, updated_at: 1 }))));

  it('keeps its statements prepared on the connection by name, one per size, and runs them again with new rows', async () => {
    const prepared = await app.store.db.connection().execute(async (db) => {
      await insertSettings(db, [['p1', 'a'], ['p2', 'b'], ['p3', 'c']]);
      await insertSettings(db, [['p4', 'd'], ['p5', 'e'], ['p6', 'f']]);
      await insertSettings(db, [['p7', 'g']]);
      const rows = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements where statement like 'insert into "settings"%'`.execute(db);
      return rows.rows;
    });
    // Sizes 3 and 1: two statements, the second call of size 3 reusing the first's.
    expect(prepared).toHaveLength(2);
    for (const p of prepared) expect(p.name).toMatch(/^parley_/);
    const stored = await app.store.db.selectFrom('settings').select(['key', 'value']).where('key', 'like', 'p%').orderBy('key').execute();
    expect(stored.map((r) => r.value)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  });

  it('leaves a query of open shape unnamed', async () => {
    const prepared = await app.store.db.connection().execute(async (db) => {
      await db.selectFrom('settings').select('key').where('key', 'in', ['p1', 'p2']).execute();
      return (await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements where statement like 'select "key" from "settings"%'`.execute(db)).rows[0]!.n;
    });
    expect(prepared).toBe(0);
  });
});

describe('rowCountParts', () => {
  it('cuts row counts into at most five statements of about twenty sizes up to 1,000 rows, and under a cap', () => {
    const sizes = new Set<number>();
    for (let n = 1; n <= 1000; n += 1) {
      const parts = rowCountParts(n);
      expect(parts.reduce((a, b) => a + b, 0)).toBe(n);
      expect(parts.length).toBeLessThanOrEqual(5);
      for (const part of parts) sizes.add(part);
    }
    expect([...sizes].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768]);
    expect(rowCountParts(150)).toEqual([128, 16, 6]);
    expect(rowCountParts(0)).toEqual([]);
    // Capped (wide rows: a statement's parameters stay bounded), the cut still covers every row.
    expect(rowCountParts(500, 141)).toEqual([128, 128, 128, 96, 16, 4]);
    for (let n = 1; n <= 1000; n += 1) {
      const capped = rowCountParts(n, 100);
      expect(capped.reduce((a, b) => a + b, 0)).toBe(n);
      expect(Math.max(...capped)).toBeLessThanOrEqual(100);
    }
  });
});
