import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readdirSync, realpathSync, rmdirSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { DomainEvent, EventBus, EventRelay } from '../platform/events.js';
import type { Logger } from '../platform/logger.js';

/** The longest socket path the kernel takes (sun_path holds 108 bytes on Linux, 104 on macOS, with its NUL). */
const MAX_SOCKET_PATH = 103;
/** How often the directory is read again for processes that started since. */
const PEER_SCAN_MS = 1000;
/** A socket that refuses connections for this long belongs to a process that died: its file is removed. */
const STALE_AFTER_MS = 5000;
/** One event is far smaller; a peer sending more without a line break is not a Parley process. */
const MAX_LINE_BYTES = 1024 * 1024;
/** A peer this far behind in reading is dropped (and found again on the next scan) rather than buffered for. */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;

const EVENT_TYPES: ReadonlySet<string> = new Set<DomainEvent['type']>(['messages.ingested', 'conversations.changed', 'outbox.enqueued', 'classifier.changed', 'mention', 'presence']);

const isEvent = (value: unknown): value is DomainEvent =>
  typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' && EVENT_TYPES.has((value as { type: string }).type);

/**
 * The directory where the processes of one database file meet: under the temporary directory, named after the
 * file's real path, so two data folders never share one and a folder reached through a link is the same folder.
 */
export const relayDirectoryFor = (databaseFile: string, base = os.tmpdir()): string =>
  path.join(base, `parley-events-${createHash('sha256').update(realpathSync(databaseFile)).digest('hex').slice(0, 16)}`);

/** Creates the meeting directory, or checks one found there: this user's own, a real directory, closed to others. */
const privateDirectory = (dir: string): string | null => {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return `cannot create ${dir}: ${(error as Error).message}`;
  }
  const stat = lstatSync(dir);
  if (!stat.isDirectory()) return `${dir} is not a directory`;
  if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) return `${dir} belongs to another user`;
  if ((stat.mode & 0o077) !== 0) return `${dir} is open to other users (mode ${(stat.mode & 0o777).toString(8)})`;
  return null;
};

/**
 * Live updates across processes on the embedded store. Processes that open the same SQLite file (a worker started
 * beside the web process, or `parley import` while the server runs) each listen on a Unix socket in a directory
 * only this user can enter, and send every event they publish to the others' sockets as a JSON line; what arrives
 * is published locally, marked remote. So an agent's inbox shows an import's conversations as they are decided, and
 * a running server reloads the intent model `parley train intents` has just trained. As with PostgreSQL's relay,
 * delivery is best effort: the store stays the truth, and an event a process misses only delays a refresh.
 *
 * Returns null (events stay in this process) where there is nothing to share or no safe place to meet: an
 * in-memory database, Windows, a directory that is not private, or a socket path too long for the kernel.
 */
export const createLocalEventRelay = async (options: { databaseFile: string; local: EventBus; logger: Logger; directory?: string }): Promise<EventRelay | null> => {
  const { databaseFile, local, logger } = options;
  if (databaseFile === ':memory:' || databaseFile === '' || process.platform === 'win32') return null;
  let dir: string;
  try {
    dir = options.directory ?? relayDirectoryFor(databaseFile);
  } catch (error) {
    logger.warn({ err: (error as Error).message }, 'live updates stay in this process: the database file cannot be resolved');
    return null;
  }
  const own = `${randomBytes(8).toString('hex')}.sock`;
  const ownPath = path.join(dir, own);
  if (ownPath.length > MAX_SOCKET_PATH) {
    logger.warn({ dir }, 'live updates stay in this process: the socket path would be too long (set TMPDIR to a shorter folder)');
    return null;
  }
  let stopped = false;
  // Connections to the other processes' sockets, by file name; and when each refusing socket first refused.
  const peers = new Map<string, net.Socket>();
  const refusedSince = new Map<string, number>();
  const connect = (name: string): Promise<void> =>
    new Promise((resolve) => {
      const socket = net.connect(path.join(dir, name));
      // Live updates never keep a process alive on their own (nor does the server below).
      socket.unref();
      peers.set(name, socket);
      socket.on('connect', () => {
        refusedSince.delete(name);
        resolve();
      });
      // Nothing is expected back; a peer that goes away closes its end.
      socket.on('data', () => undefined);
      socket.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT') {
          const since = refusedSince.get(name) ?? Date.now();
          refusedSince.set(name, since);
          // A socket file whose process died refuses for good; one just created refuses only until it listens.
          if (err.code === 'ECONNREFUSED' && Date.now() - since >= STALE_AFTER_MS) {
            try {
              unlinkSync(path.join(dir, name));
            } catch {
              // Another process removed it first.
            }
            refusedSince.delete(name);
          }
        }
        socket.destroy();
      });
      socket.on('close', () => {
        if (peers.get(name) === socket) peers.delete(name);
        resolve();
      });
    });
  const scan = async (): Promise<void> => {
    if (stopped) return;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    await Promise.all(names.filter((name) => name.endsWith('.sock') && name !== own && !peers.has(name)).map(connect));
  };
  const received = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    socket.unref();
    received.add(socket);
    // A process that just started: connected back to at once, not on the next look at the folder.
    void scan();
    socket.on('close', () => received.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        try {
          const event = JSON.parse(line) as unknown;
          if (isEvent(event)) local.publish(event, { remote: true });
          // A newer version's event, during an upgrade: not worth a warning per event.
          else logger.debug({}, 'ignored an unknown relayed event');
        } catch {
          logger.warn({}, 'ignored an unreadable relayed event');
        }
      }
      if (buffered.length > MAX_LINE_BYTES) socket.destroy();
    });
  });
  // The last process to stop removes the folder; one starting at that moment makes it again.
  const listen = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(ownPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
  let problem: string | null = null;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    problem = privateDirectory(dir);
    if (problem) break;
    try {
      await listen();
      chmodSync(ownPath, 0o600);
      break;
    } catch (error) {
      problem = `cannot listen on ${ownPath}: ${(error as Error).message}`;
    }
  }
  if (problem) {
    logger.warn({ problem }, 'live updates stay in this process: no private folder to meet other processes in');
    server.close();
    return null;
  }
  server.on('error', (err) => logger.warn({ err: err.message }, 'event relay socket failed'));
  server.unref();

  // The processes already running are connected before this one publishes anything.
  await scan();
  const timer = setInterval(() => void scan(), PEER_SCAN_MS);
  timer.unref();

  const bus: EventBus = {
    publish(event, meta) {
      local.publish(event, meta);
      if (meta?.remote || stopped || peers.size === 0) return;
      const line = `${JSON.stringify(event)}\n`;
      for (const socket of peers.values()) {
        // Written while still connecting too: the socket sends it once connected.
        if (!socket.writable) continue;
        if (socket.writableLength > MAX_PENDING_BYTES) socket.destroy();
        else socket.write(line);
      }
    },
    subscribe: (fn) => local.subscribe(fn),
  };

  return {
    bus,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      for (const socket of peers.values()) socket.end();
      for (const socket of received) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      try {
        unlinkSync(ownPath);
      } catch {
        // Already gone (closing the server removes it on some platforms).
      }
      try {
        rmdirSync(dir);
      } catch {
        // Other processes are still there.
      }
    },
  };
};
