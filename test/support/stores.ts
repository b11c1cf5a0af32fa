import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** PostgreSQL for tests: the local server's `test` database, one fresh schema per test app. */
export const postgresBaseUrl = process.env.PARLEY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** CI sets PARLEY_REQUIRE_POSTGRES=1 so a missing server fails the run instead of skipping. */
export const postgresRequired = process.env.PARLEY_REQUIRE_POSTGRES === '1';

export const isPostgresAvailable = async (): Promise<boolean> => {
  // A refused connection fails at once; a server slowed by a busy machine gets time to answer.
  const client = new pg.Client({ connectionString: postgresBaseUrl, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch (error) {
    if (postgresRequired) throw new Error(`PostgreSQL is required for this run but unreachable at ${postgresBaseUrl}: ${String(error)}`);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
};

/** Creates an empty schema and returns a URL whose connections use it. */
export const createPostgresSchema = async (): Promise<{ url: string; drop(): Promise<void> }> => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: postgresBaseUrl });
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.end();
  const url = `${postgresBaseUrl}${postgresBaseUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    url,
    async drop() {
      const c = new pg.Client({ connectionString: postgresBaseUrl });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
};

export const dialects = ['sqlite', 'postgres'] as const;
export type TestDialect = (typeof dialects)[number];
