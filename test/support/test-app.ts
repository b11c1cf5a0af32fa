import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp, type AppOptions, type ParleyApp } from '../../src/server/app.js';
import { createClassifier } from '../../src/server/classifier/index.js';
import type { Classifier } from '../../src/server/classifier/types.js';
import { loadConfig } from '../../src/server/config.js';
import { createLogger } from '../../src/server/platform/logger.js';
import { systemActor, type Role } from '../../src/shared/permissions.js';
import type { EnvelopeInput } from '../../src/shared/envelope.js';
import { envelopeSchema } from '../../src/shared/envelope.js';
import { createPostgresSchema, type TestDialect } from './stores.js';

let sharedClassifier: Classifier | null = null;
/** The shipped models load once per test process. */
export const testClassifier = (): Classifier => (sharedClassifier ??= createClassifier());

export interface TestApp extends ParleyApp {
  dispose(): Promise<void>;
  dataDir: string;
}

export const createTestApp = async (dialect: TestDialect = 'sqlite', overrides: Partial<AppOptions> = {}, env: Record<string, string> = {}): Promise<TestApp> => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'parley-test-'));
  const pgSchema = dialect === 'postgres' ? await createPostgresSchema() : null;
  // Local fake servers are private addresses: tests allow loopback unless they pass their own list.
  const config = loadConfig({ PARLEY_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', PARLEY_ALLOW_PRIVATE_URLS: '127.0.0.1,::1,localhost', ...(pgSchema ? { DATABASE_URL: pgSchema.url } : {}), ...env });
  const app = await createApp({ config, logger: createLogger('silent'), classifier: testClassifier(), serveSpa: false, ...(dialect === 'sqlite' ? { sqliteFile: ':memory:' } : {}), ...overrides });
  return Object.assign(app, {
    dataDir,
    async dispose() {
      await app.stop();
      await pgSchema?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
};

export const admin = systemActor('test');

export const createUser = async (app: ParleyApp, role: Role, extra: { email?: string; password?: string; skills?: string[]; status?: 'online' | 'away' | 'offline' } = {}) => {
  const user = await app.services.users.create({ email: extra.email ?? `${role}-${Math.random().toString(36).slice(2)}@acme.test`, name: `${role} user`, role, password: extra.password ?? 'correct horse battery', skills: extra.skills ?? ['lang:en'] }, admin);
  if (extra.status) await app.repos.users.update(user.id, { status: extra.status }, Date.now());
  return user;
};

export const tokenFor = async (app: ParleyApp, userId: string): Promise<string> => (await app.services.auth.createToken(userId, 'test', admin)).token;

export const createChannel = (app: ParleyApp, platform: 'x' | 'email' | 'facebook' = 'x', ownAccountIds: string[] = ['999']) =>
  app.services.channels.create({ platform, name: `Acme ${platform}`, ownAccountIds }, admin);

let counter = 0;
/** A realistic X-style envelope; override any field. */
export const envelope = (channelId: string, over: Partial<EnvelopeInput> = {}): EnvelopeInput => {
  counter += 1;
  const id = String(1_800_000_000_000_000_000n + BigInt(counter) + BigInt(Math.floor(Math.random() * 1e9)) * 1000n);
  return {
    channelId,
    externalId: id,
    kind: 'post',
    visibility: 'public',
    author: { platformId: `u${counter}`, handle: `customer${counter}`, displayName: `Customer ${counter}`, followers: 120, verified: false },
    text: '@AcmeTelecom my internet has been down since this morning, nobody answers the phone',
    createdAt: new Date(Date.now() - 1000).toISOString(),
    ...over,
  };
};

export const parseEnvelopes = (inputs: EnvelopeInput[]) => inputs.map((e) => envelopeSchema.parse(e));
