import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type ParleyApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { createLocalEventRelay, relayDirectoryFor } from '../../src/server/db/local-event-relay.js';
import { createEventBus, type DomainEvent, type EventMeta, type EventRelay } from '../../src/server/platform/events.js';
import { createLogger, type Logger } from '../../src/server/platform/logger.js';
import { runCli } from '../cli/run-cli.js';
import { createUser, testClassifier, tokenFor } from '../support/test-app.js';

const until = async (check: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

const dirs: string[] = [];
const relays: EventRelay[] = [];
afterAll(async () => {
  for (const relay of relays) await relay.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A database file of its own (the relay only needs it to exist) and a folder to meet in. */
const newStore = (): { file: string; directory: string } => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-lrelay-'));
  dirs.push(dir);
  const file = path.join(dir, 'parley.db');
  closeSync(openSync(file, 'w'));
  return { file, directory: path.join(dir, 'meet') };
};

const warnings: unknown[] = [];
const logger = { warn: (fields: unknown) => warnings.push(fields), info: () => undefined, error: () => undefined, debug: () => undefined } as unknown as Logger;

const open = async (store: { file: string; directory: string }) => {
  const relay = await createLocalEventRelay({ databaseFile: store.file, directory: store.directory, local: createEventBus(), logger });
  if (!relay) throw new Error('no relay');
  relays.push(relay);
  const seen: { event: DomainEvent; meta: EventMeta }[] = [];
  relay.bus.subscribe((event, meta) => seen.push({ event, meta }));
  return { relay, seen };
};

describe('live events across processes on the embedded store', () => {
  it("delivers one process's events to the others on the same file once, marked remote, and to no other file", async () => {
    const store = newStore();
    const web = await open(store);
    const worker = await open(store);
    const elsewhere = await open(newStore());

    worker.relay.bus.publish({ type: 'conversations.changed', conversationIds: ['c1', 'c2'] });
    await until(() => web.seen.length === 1);
    expect(web.seen[0]).toEqual({ event: { type: 'conversations.changed', conversationIds: ['c1', 'c2'] }, meta: { remote: true } });
    // The publisher hears its own event once, locally.
    expect(worker.seen).toEqual([{ event: { type: 'conversations.changed', conversationIds: ['c1', 'c2'] }, meta: { remote: false } }]);

    // The process that started first connects back to the later one as soon as that one connects to it.
    const presence: DomainEvent = { type: 'presence', conversationId: 'c1', userId: 'u1', state: 'typing' };
    await until(() => {
      if (worker.seen.length < 2) web.relay.bus.publish(presence);
      return worker.seen.length >= 2;
    });
    expect(worker.seen[1]).toEqual({ event: presence, meta: { remote: true } });

    // Nothing comes back to the process that sent it.
    await new Promise((r) => setTimeout(r, 200));
    expect(web.seen.filter((s) => s.meta.remote)).toHaveLength(1);
    expect(worker.seen.filter((s) => !s.meta.remote)).toHaveLength(1);
    expect(elsewhere.seen).toEqual([]);
  });

  it('meets in a folder only this user may enter, and removes its socket when it stops', async () => {
    const store = newStore();
    const { relay } = await open(store);
    expect(readdirSync(store.directory)).toHaveLength(1);
    await relay.stop();
    // The last one out removes the folder.
    expect(existsSync(store.directory)).toBe(false);

    const shared = newStore();
    mkdirSync(shared.directory);
    chmodSync(shared.directory, 0o755);
    warnings.length = 0;
    expect(await createLocalEventRelay({ databaseFile: shared.file, directory: shared.directory, local: createEventBus(), logger })).toBeNull();
    expect(JSON.stringify(warnings)).toContain('open to other users');
    expect(await createLocalEventRelay({ databaseFile: ':memory:', local: createEventBus(), logger })).toBeNull();
    // The default folder is named after the file's real path: the same file reached through a link meets in it too.
    const link = `${path.dirname(shared.file)}-link`;
    symlinkSync(path.dirname(shared.file), link);
    dirs.push(link);
    expect(relayDirectoryFor(path.join(link, 'parley.db'))).toBe(relayDirectoryFor(shared.file));
    expect(relayDirectoryFor(shared.file)).not.toBe(relayDirectoryFor(newStore().file));
  });

  it('never keeps a process alive on its own', async () => {
    const store = newStore();
    await open(store);
    // A process that opens a relay, meets this one, and never stops it: it must still exit when its work is done.
    const script = path.join(path.dirname(store.file), 'left-open.mts');
    const relayModule = path.resolve('src/server/db/local-event-relay.ts');
    const eventsModule = path.resolve('src/server/platform/events.ts');
    writeFileSync(
      script,
      `import { createLocalEventRelay } from ${JSON.stringify(relayModule)};
import { createEventBus } from ${JSON.stringify(eventsModule)};
const logger = { warn: () => undefined, debug: () => undefined };
const relay = await createLocalEventRelay({ databaseFile: ${JSON.stringify(store.file)}, directory: ${JSON.stringify(store.directory)}, local: createEventBus(), logger });
relay.bus.publish({ type: 'outbox.enqueued' });
`,
    );
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'ignore', 'inherit'] });
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 30_000);

  it('publishes what it can read of what arrives and ignores the rest', async () => {
    const store = newStore();
    const { seen } = await open(store);
    const [name] = readdirSync(store.directory);
    const client = net.connect(path.join(store.directory, name!));
    await new Promise((r) => client.once('connect', r));
    client.write('not json\n{"type":"self.destruct"}\n{"type":"outbox.enqueued"}\n{"type":"conversations.chan');
    client.write('ged","conversationIds":["c9"]}\n');
    await until(() => seen.length === 2);
    expect(seen.map((s) => s.event)).toEqual([{ type: 'outbox.enqueued' }, { type: 'conversations.changed', conversationIds: ['c9'] }]);
    expect(seen.every((s) => s.meta.remote)).toBe(true);
    client.destroy();
  });

  it('removes the socket of a process that died, once it has refused for a while', async () => {
    const store = newStore();
    mkdirSync(store.directory, { mode: 0o700 });
    // What a killed process leaves: a socket file nobody listens on.
    const dead = path.join(store.directory, 'deadbeefdeadbeef.sock');
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(dead, r));
    const { relay } = await new Promise<{ relay: EventRelay }>((resolve, reject) => {
      // Closing unlinks the file: put a plain file back in its place, which refuses connections the same way.
      server.close(() => {
        writeFileSync(dead, '');
        open(store).then(resolve, reject);
      });
    });
    relay.bus.publish({ type: 'outbox.enqueued' });
    expect(existsSync(dead)).toBe(true);
    await until(() => !existsSync(dead), 12_000);
  }, 20_000);
});

describe('an import in another process, seen live by the server', () => {
  const apps: ParleyApp[] = [];
  afterAll(async () => {
    for (const app of apps) await app.stop();
  });

  it("pushes the import's conversations to an agent's event stream as they are decided", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'parley-lrelay-app-'));
    dirs.push(dataDir);
    const key = 'b'.repeat(64);
    // The web role only: the conversations can reach the stream only from the importing process.
    const app = await createApp({ config: loadConfig({ PARLEY_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', PARLEY_SECRET_KEY: key }), logger: createLogger('silent'), classifier: testClassifier(), serveSpa: false });
    apps.push(app);
    const token = await tokenFor(app, (await createUser(app, 'agent', { status: 'online' })).id);
    await app.start(['web']);
    const address = app.http.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;

    const changed: string[] = [];
    let onReady = () => undefined as void;
    const ready = new Promise<void>((r) => (onReady = r));
    const req = http.get({ host: '127.0.0.1', port, path: '/api/v1/events', headers: { authorization: `Bearer ${token}` } }, (res) => {
      onReady();
      let buffer = '';
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const blocks = buffer.split('\n\n');
        buffer = blocks.pop() ?? '';
        for (const block of blocks) {
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (/^event: conversations\.changed$/m.test(block) && data) changed.push(...(JSON.parse(data) as { conversationIds: string[] }).conversationIds);
        }
      });
    });
    await ready;

    const file = path.join(dataDir, 'posts.jsonl');
    const post = (id: string, author: string, text: string) => ({
      data: { id, text, author_id: author, created_at: new Date().toISOString(), edit_history_tweet_ids: [id] },
      includes: { users: [{ id: author, username: `user${author}`, name: `User ${author}`, public_metrics: { followers_count: 10 } }] },
    });
    writeFileSync(file, [post('1900000000000000001', '31', '@AcmeTelecom my bill doubled this month'), post('1900000000000000002', '32', '@AcmeTelecom no signal in Leeds since noon')].map((l) => JSON.stringify(l)).join('\n'));
    const imported = await runCli(['import', '--format', 'x-v2', file], { dataDir, env: { PARLEY_SECRET_KEY: key } });
    expect(imported.code, imported.stderr).toBe(0);

    const conversations = (await app.store.db.selectFrom('conversations').select('id').execute()).map((c) => c.id);
    expect(conversations).toHaveLength(2);
    await until(() => conversations.every((id) => changed.includes(id)));
    req.destroy();
  }, 240_000);

  it('reloads the intent model that `parley train intents` taught in another process', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'parley-lrelay-train-'));
    dirs.push(dataDir);
    const key = 'c'.repeat(64);
    const app = await createApp({ config: loadConfig({ PARLEY_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', PARLEY_SECRET_KEY: key, PARLEY_CLASSIFIER_THREAD: 'off' }), logger: createLogger('silent'), classifier: testClassifier(), serveSpa: false });
    apps.push(app);
    const announced: EventMeta[] = [];
    app.events.subscribe((event, meta) => {
      if (event.type === 'classifier.changed') announced.push(meta);
    });
    const probe = 'can we book a table for six on friday night';
    expect(app.classifier.classify([probe])[0]!.intent.label).not.toBe('reservation');

    const examples = path.join(dataDir, 'intents.jsonl');
    const lines = [
      ...['book a table for two tonight', 'reserve a table for friday', 'can i get a booking for 4 people', 'table for six on saturday please', 'do you have space for dinner tomorrow'].map((text) => ({ text, intent: 'reservation' })),
      ...['is the pasta gluten free', 'do you have vegan options', 'what is on the menu today', 'does the soup contain nuts', 'which dishes are dairy free'].map((text) => ({ text, intent: 'menu' })),
    ];
    writeFileSync(examples, lines.map((l) => JSON.stringify(l)).join('\n'));
    const trained = await runCli(['train', 'intents', examples], { dataDir, env: { PARLEY_SECRET_KEY: key } });
    expect(trained.code, trained.stderr).toBe(0);
    await until(() => announced.length > 0);
    expect(announced).toEqual([{ remote: true }]);
    expect(app.classifier.classify([probe])[0]!.intent.label).toBe('reservation');
  }, 240_000);
});
