import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { createLogger } from '../../src/server/platform/logger.js';
import { systemActor } from '../../src/shared/permissions.js';
import { generateEnvelopes } from '../../bench/support/envelopes.js';
import { createPostgresSchema, dialects, isPostgresAvailable } from '../support/stores.js';
import { testClassifier } from '../support/test-app.js';

const pgAvailable = await isPostgresAvailable();
const total = 20_000;

/** Runs the import in a child and kills it with SIGKILL once `killAfter` messages are acknowledged. */
const importUntilKilled = (env: NodeJS.ProcessEnv, killAfter: number): Promise<number> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('test/support/crash-child.ts')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let acked = 0;
    let buffer = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^ACK \S+ (\d+)$/.exec(line);
        if (m) acked = Number(m[1]);
        if (acked >= killAfter && !child.killed) child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(acked) : reject(new Error(`child exited ${code}: ${stderr}`))));
  });

describe.each(dialects)('kill -9 during a 20,000-message import (%s)', (dialect) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it.skipIf(dialect === 'postgres' && !pgAvailable)('processes every acknowledged message exactly once after restart', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'parley-crash-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const schema = dialect === 'postgres' ? await createPostgresSchema() : null;
    if (schema) cleanups.push(() => schema.drop());
    const env = { PARLEY_DATA_DIR: dataDir, LOG_LEVEL: 'silent', PORT: '0', ...(schema ? { DATABASE_URL: schema.url } : {}) };
    const config = loadConfig(env);

    const setup = await createApp({ config, logger: createLogger('silent'), classifier: testClassifier(), serveSpa: false });
    const channel = await setup.services.channels.create({ platform: 'x', name: 'crash', ownAccountIds: [] }, systemActor());
    await setup.stop();

    const acked = await importUntilKilled({ ...env, CRASH_CHANNEL_ID: channel.id, CRASH_TOTAL: String(total) }, 8_000);
    expect(acked).toBeGreaterThanOrEqual(8_000);
    expect(acked).toBeLessThan(total);

    // Restart: expired leases are reclaimed; every stage is idempotent.
    const app = await createApp({ config, logger: createLogger('silent'), classifier: testClassifier(), serveSpa: false });
    cleanups.push(() => app.stop());
    const reclaimAt = Date.now() + 61_000;
    await app.worker.drain();
    const leftover = await app.repos.jobs.stats(reclaimAt);
    if (leftover.running > 0) {
      // Jobs leased by the killed process come back once their lease expires: move the clock past it.
      await app.store.db.updateTable('jobs').set({ locked_until: 0 }).where('status', '=', 'running').execute();
      await app.worker.drain();
    }

    const all = generateEnvelopes(channel.id, total, { seed: 11 });
    const ackedIds = all.slice(0, acked).map((e) => e.externalId);
    const stored = new Set<string>();
    for (let i = 0; i < ackedIds.length; i += 500) for (const m of await app.repos.messages.findByExternalIds(channel.id, ackedIds.slice(i, i + 500))) stored.add(m.externalId);
    expect(stored.size).toBe(acked);

    const stages = await app.repos.messages.countByStage();
    const messageCount = Object.values(stages).reduce((a, b) => a + b, 0);
    expect(stages).toEqual({ decided: messageCount });
    const sums = await app.store.db
      .selectFrom('conversations')
      .select([sql<number>`sum(message_count)`.as('messages'), sql<number>`count(*)`.as('conversations')])
      .executeTakeFirstOrThrow();
    expect(Number(sums.messages)).toBe(messageCount);
    const withConversation = await app.store.db.selectFrom('messages').select(sql<number>`count(*)`.as('n')).where('conversation_id', 'is not', null).executeTakeFirstOrThrow();
    expect(Number(withConversation.n)).toBe(messageCount);
    // Nothing of the pipeline is left over or dead; what remains is timed work (SLA warning and due checks).
    const leftovers = await app.store.db.selectFrom('jobs').select(['type', 'status', 'run_at']).execute();
    expect(leftovers.filter((j) => j.type.startsWith('pipeline.'))).toEqual([]);
    expect(leftovers.filter((j) => j.status !== 'pending' || Number(j.run_at) <= Date.now())).toEqual([]);
  }, 240_000);
});
