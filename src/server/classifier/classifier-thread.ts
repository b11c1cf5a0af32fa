import { Worker } from 'node:worker_threads';
import type { TextToUnderstand, UnderstoodFields } from './understand-fields.js';

/**
 * The classifier on a thread of its own. On a 2-core machine the embedded store's single writer, the web server and
 * the pipeline share one thread; classifying a batch there costs about a tenth of it and holds the event loop for
 * milliseconds at a time. Here the other core does that work while the writer goes on, and its results come back
 * as the rows the understand stage stores.
 */
export interface ClassifierThread {
  /** Resolves once the models are loaded on the thread; rejects if they could not be (the caller works without it). */
  ready(): Promise<void>;
  /** Classifies on the thread. Rejects when the thread failed or was reloaded meanwhile: the caller classifies itself. */
  understand(items: readonly TextToUnderstand[]): Promise<UnderstoodFields[]>;
  /** Loads the models again (after `train intents`); answers to requests sent before are refused. */
  reload(): void;
  close(): Promise<void>;
}

export interface ClassifierThreadOptions {
  /** Where `train intents` keeps the workspace's model, used when present (as on the main thread). */
  customIntentModelPath: string;
  modelsDir?: string;
  onError?(message: string): void;
}

type Reply = { type: 'ready'; version: string } | { type: 'failed'; message: string } | { type: 'reload-failed'; message: string } | { type: 'understood'; seq: number; rows?: UnderstoodFields[]; error?: string };

/** A batch of a few hundred messages takes milliseconds; no answer after this long means the thread is stuck. */
const ANSWER_TIMEOUT_MS = 30_000;

/** After the thread dies unexpectedly, it is started again on the next request no sooner than this. */
const RESTART_AFTER_MS = 30_000;

export const createClassifierThread = (options: ClassifierThreadOptions): ClassifierThread => {
  let worker: Worker | null = null;
  let readyPromise: Promise<void> | null = null;
  let deadUntil = 0;
  let closing = false;
  let seq = 0;
  // Requests sent before the last reload are answered by the old models: their answers are refused.
  let generation = 0;
  const pending = new Map<number, { generation: number; resolve(rows: UnderstoodFields[]): void; reject(error: Error): void }>();

  const failAll = (message: string): void => {
    for (const p of pending.values()) p.reject(new Error(message));
    pending.clear();
  };

  const start = (): Promise<void> => {
    if (readyPromise) return readyPromise;
    const thread = new Worker(new URL('./classifier-thread.boot.mjs', import.meta.url), {
      workerData: { customIntentModelPath: options.customIntentModelPath, ...(options.modelsDir ? { modelsDir: options.modelsDir } : {}) },
    });
    // It must not keep a finished process alive (the CLI, tests); `close` ends it.
    thread.unref();
    worker = thread;
    readyPromise = new Promise<void>((resolve, reject) => {
      thread.on('message', (reply: Reply) => {
        if (reply.type === 'ready') resolve();
        else if (reply.type === 'failed') reject(new Error(`classifier thread: ${reply.message}`));
        else if (reply.type === 'reload-failed') options.onError?.(`classifier thread kept its models: ${reply.message}`);
        else if (reply.type === 'understood') {
          const p = pending.get(reply.seq);
          if (!p) return;
          pending.delete(reply.seq);
          if (reply.rows && p.generation === generation) p.resolve(reply.rows);
          else p.reject(new Error(reply.error ?? 'the classifier was reloaded'));
        }
      });
      thread.on('error', (error) => {
        options.onError?.(`classifier thread failed: ${error.message}`);
        reject(error);
      });
      thread.on('exit', (code) => {
        if (worker === thread) {
          worker = null;
          readyPromise = null;
          if (!closing) deadUntil = Date.now() + RESTART_AFTER_MS;
        }
        reject(new Error(`classifier thread exited (${code})`));
        failAll(`classifier thread exited (${code})`);
      });
    });
    // Callers that never await `ready` must not see an unhandled rejection.
    readyPromise.catch(() => undefined);
    return readyPromise;
  };

  return {
    ready: () => {
      if (closing) return Promise.reject(new Error('classifier thread closed'));
      try {
        return start();
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    understand(items) {
      if (items.length === 0) return Promise.resolve([]);
      if (closing || Date.now() < deadUntil) return Promise.reject(new Error('classifier thread unavailable'));
      try {
        void start();
      } catch (error) {
        // The thread could not even be created: callers classify themselves, and it is tried again later.
        deadUntil = Date.now() + RESTART_AFTER_MS;
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      const id = (seq += 1);
      return new Promise<UnderstoodFields[]>((resolve, reject) => {
        // A thread that stops answering must not hold the pipeline: the caller classifies itself after this long.
        const timer = setTimeout(() => {
          if (pending.delete(id)) reject(new Error(`classifier thread did not answer within ${ANSWER_TIMEOUT_MS} ms`));
        }, ANSWER_TIMEOUT_MS);
        timer.unref();
        pending.set(id, {
          generation,
          resolve: (rows) => {
            clearTimeout(timer);
            resolve(rows);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        // Only the fields the thread reads are cloned across.
        worker!.postMessage({ type: 'understand', seq: id, items: items.map((m) => ({ text: m.text, subject: m.subject })) });
      });
    },
    reload() {
      generation += 1;
      worker?.postMessage({ type: 'reload' });
    },
    async close() {
      closing = true;
      const thread = worker;
      worker = null;
      failAll('classifier thread closed');
      if (thread) await thread.terminate();
    },
  };
};
