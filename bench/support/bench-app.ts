import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createApp, type ParleyApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { createLogger } from '../../src/server/platform/logger.js';
import { systemActor } from '../../src/shared/permissions.js';

/** A full Parley app for a benchmark: SQLite file in `dir`, or a fresh schema in PostgreSQL. */
export const createBenchApp = async (dir: string, postgresUrl: string | null): Promise<{ app: ParleyApp; channelId: string; dispose(): Promise<void> }> => {
  let schema: string | null = null;
  let url: string | undefined;
  if (postgresUrl) {
    schema = `bench_${randomBytes(5).toString('hex')}`;
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    await client.query(`create schema ${schema}`);
    await client.end();
    url = `${postgresUrl}${postgresUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  }
  // The app loads its own models, as `parley start` does (with the classifier thread unless
  // PARLEY_CLASSIFIER_THREAD=off is set for the bench, to compare). PARLEY_WORKER_BATCH set for the bench likewise
  // replaces the store's default batch.
  const passed = Object.fromEntries(['PARLEY_CLASSIFIER_THREAD', 'PARLEY_WORKER_BATCH'].flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])));
  const config = loadConfig({ PARLEY_DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'silent', ...(url ? { DATABASE_URL: url } : {}), ...passed });
  const app = await createApp({ config, logger: createLogger('silent'), serveSpa: false });
  const admin = systemActor('bench');
  const channel = await app.services.channels.create({ platform: 'x', name: 'Acme X', ownAccountIds: ['999'] }, admin);
  for (let i = 0; i < 8; i += 1) {
    const user = await app.services.users.create({ email: `agent${i}@acme.test`, name: `Agent ${i}`, role: 'agent', capacity: 1_000_000, skills: ['lang:en'] }, admin);
    await app.repos.users.update(user.id, { status: 'online' }, Date.now());
  }
  return {
    app,
    channelId: channel.id,
    async dispose() {
      await app.stop();
      if (schema && postgresUrl) {
        const client = new pg.Client({ connectionString: postgresUrl });
        await client.connect();
        await client.query(`drop schema if exists ${schema} cascade`);
        await client.end();
      }
    },
  };
};

export const waitUntil = async (check: () => Promise<boolean>, timeoutMs: number, intervalMs = 20): Promise<void> => {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, intervalMs));
  }
};
