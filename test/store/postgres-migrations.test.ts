import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openStore } from '../../src/server/db/database.js';
import { createPostgresSchema, isPostgresAvailable, postgresBaseUrl } from '../support/stores.js';

const pgAvailable = await isPostgresAvailable();

/**
 * Migrations look only at their own schema: another application's schema (or a parallel test's) created and dropped
 * while Parley starts must not fail its start-up with "schema … does not exist".
 */
describe.skipIf(!pgAvailable)('PostgreSQL migrations beside other schemas', () => {
  const schemas: { drop(): Promise<void> }[] = [];
  let churn: pg.Client;
  beforeAll(async () => {
    churn = new pg.Client({ connectionString: postgresBaseUrl });
    await churn.connect();
  });
  afterAll(async () => {
    await churn.end();
    for (const s of schemas) await s.drop();
  });

  it('migrates while other schemas with tables are created and dropped all along', async () => {
    let running = true;
    let cycles = 0;
    // Another tenant of the database, busy: a schema with a few tables, created and dropped over and over.
    const busy = (async () => {
      while (running) {
        const name = `other_${process.pid}_${cycles % 2}`;
        await churn.query(`create schema ${name}; ${Array.from({ length: 8 }, (_, i) => `create table ${name}.t${i} (id serial primary key, a text, b integer, c text)`).join('; ')}`);
        await churn.query(`drop schema ${name} cascade`);
        cycles += 1;
      }
    })();
    try {
      for (let run = 0; run < 8; run += 1) {
        const schema = await createPostgresSchema();
        schemas.push(schema);
        const store = openStore({ databaseUrl: schema.url, dataDir: '/nonexistent' });
        try {
          const applied = await migrateToLatest(store);
          expect(applied.length).toBeGreaterThan(10);
          // Starting again finds every migration applied, through the same look-up.
          expect(await migrateToLatest(store)).toEqual([]);
        } finally {
          await store.close();
        }
      }
    } finally {
      running = false;
      await busy;
    }
    expect(cycles).toBeGreaterThan(0);
  });
});
