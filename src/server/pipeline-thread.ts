import { Worker } from 'node:worker_threads';
import type { PipelineThreadShared } from './app.js';
import type { Config } from './config.js';
import type { Logger } from './platform/logger.js';
import type { MetricsSnapshot } from './platform/metrics.js';

/** Messages between the web thread and the pipeline thread. */
export type ToPipelineThread = { type: 'metrics'; id: number } | { type: 'stop' };
export type FromPipelineThread = { type: 'ready' } | { type: 'metrics'; id: number; snapshot: MetricsSnapshot } | { type: 'failed'; error: string };

export interface PipelineThread {
  /** The thread's counters and histograms (stage latency, outbox deliveries and failures). */
  metrics(): Promise<MetricsSnapshot>;
  stop(): Promise<void>;
}

const STOP_TIMEOUT_MS = 15_000;
const METRICS_TIMEOUT_MS = 2_000;
const RESTART_DELAY_MS = 1_000;

/**
 * Runs the worker role in a thread of this process: its own app over the same store (the embedded file with a
 * shared write lock, or PostgreSQL), so pipeline batches run beside the web thread instead of between its
 * requests. Resolves once the thread's worker has started. A thread that dies is started again: every job and
 * outbox item is in the store, leased, and taken up again by the new thread.
 */
export const startPipelineThread = async (options: { config: Config; logger: Logger; shared: PipelineThreadShared }): Promise<PipelineThread> => {
  const { logger } = options;
  let stopping = false;
  let current: Worker | null = null;
  let nextId = 1;
  const pending = new Map<number, (snapshot: MetricsSnapshot) => void>();

  const spawn = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./pipeline-thread-boot.mjs', import.meta.url), { workerData: { config: options.config, shared: options.shared } });
      current = worker;
      let ready = false;
      worker.on('message', (message: FromPipelineThread) => {
        if (message.type === 'ready') {
          ready = true;
          resolve();
        } else if (message.type === 'metrics') {
          pending.get(message.id)?.(message.snapshot);
          pending.delete(message.id);
        } else if (message.type === 'failed') {
          logger.error({ err: message.error }, 'pipeline thread failed');
        }
      });
      worker.on('error', (err) => logger.error({ err: String(err) }, 'pipeline thread crashed'));
      worker.on('exit', (code) => {
        if (current === worker) current = null;
        for (const [id, answer] of pending) {
          answer([]);
          pending.delete(id);
        }
        if (!ready) {
          reject(new Error(`the pipeline thread stopped before it started (exit code ${code})`));
          return;
        }
        if (stopping) return;
        logger.error({ code }, 'pipeline thread exited; starting it again');
        setTimeout(() => {
          if (!stopping) spawn().catch((err: unknown) => logger.error({ err: String(err) }, 'pipeline thread restart failed'));
        }, RESTART_DELAY_MS).unref();
      });
    });

  await spawn();

  return {
    metrics: () =>
      new Promise<MetricsSnapshot>((resolve) => {
        const worker = current;
        if (!worker) return resolve([]);
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve([]);
        }, METRICS_TIMEOUT_MS);
        pending.set(id, (snapshot) => {
          clearTimeout(timer);
          resolve(snapshot);
        });
        worker.postMessage({ type: 'metrics', id } satisfies ToPipelineThread);
      }),
    async stop() {
      stopping = true;
      const worker = current;
      if (!worker) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ type: 'stop' } satisfies ToPipelineThread);
      const timer = setTimeout(() => {
        logger.warn('pipeline thread did not stop in time; terminating it');
        void worker.terminate();
      }, STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
};
