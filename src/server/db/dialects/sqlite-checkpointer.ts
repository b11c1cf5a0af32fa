import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/*
 * The WAL checkpoint (copying committed pages back into the database file and syncing it) runs on its own thread
 * and connection. Left to SQLite's automatic checkpoint, it runs inside whichever commit crosses the threshold, on
 * the thread that also serves HTTP: tens of milliseconds every few hundred commits, which every request waiting
 * at that moment pays. A PASSIVE checkpoint never blocks the writer or readers; the writer reuses the WAL from
 * the start once everything in it is checkpointed.
 */
const workerSource = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.modulePath);
const db = new Database(workerData.file);
db.pragma('synchronous = NORMAL');
// Never wait inside SQLite: its busy handler sleeps 1, 2, 5, 10 ms and more, and a RESTART checkpoint that is
// waiting holds back every writer meanwhile (8 to 18 ms stalls of the thread that also serves HTTP).
db.pragma('busy_timeout = 0');
let stopping = false;
const tick = () => {
  if (stopping) return;
  let next = workerData.intervalMs;
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    // Under a long run of writes the WAL may never be wholly checkpointed between commits, so the writer never
    // starts it over: past the limit, a RESTART checkpoint lets the next commit begin the WAL again. It is tried
    // without waiting: while the writer or a reader is busy it gives up at once (having acted as PASSIVE) and is
    // tried again a millisecond later, so the writer is held back only while a restart actually runs.
    if (r && r.log > workerData.restartPages) {
      const [x] = db.pragma('wal_checkpoint(RESTART)');
      if (x && x.busy !== 0) next = 1;
    }
  } catch (error) {
    parentPort.postMessage({ type: 'error', message: String(error && error.message || error) });
  }
  timer = setTimeout(tick, next);
};
let timer = setTimeout(tick, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  stopping = true;
  clearTimeout(timer);
  try { db.close(); } finally { parentPort.postMessage({ type: 'stopped' }); }
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export const startCheckpointer = (file: string, options: { intervalMs?: number; restartPages?: number; onError?: (message: string) => void } = {}): Checkpointer => {
  const modulePath = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(workerSource, { eval: true, workerData: { file, modulePath, intervalMs: options.intervalMs ?? 250, restartPages: options.restartPages ?? 50_000 } });
  // It must not keep a finished process alive (the CLI, tests); `stop` closes its connection cleanly.
  worker.unref();
  worker.on('message', (m: { type: string; message?: string }) => {
    if (m.type === 'error' && m.message) options.onError?.(m.message);
  });
  let stopped: Promise<void> | null = null;
  return {
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        const done = () => resolve();
        worker.once('exit', done);
        worker.on('message', (m: { type: string }) => {
          if (m.type === 'stopped') void worker.terminate().then(done, done);
        });
        worker.postMessage('stop');
        // A stuck thread must not hold up shutdown.
        setTimeout(() => void worker.terminate().then(done, done), 2000).unref();
      });
      return stopped;
    },
  };
};
