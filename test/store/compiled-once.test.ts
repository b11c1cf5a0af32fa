import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledOnce, type Executor } from '../../src/server/repositories/executor.js';
import { createChannel, createTestApp, type TestApp } from '../support/test-app.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';

const pgAvailable = await isPostgresAvailable();

describe.each(dialects)('compiledOnce on %s', (dialect) => {
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
    await expect(broken(app.store.db, 'x')).rejects.toThrow(/every argument/);
  });
});
