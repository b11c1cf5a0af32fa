/**
 * One write lock for the embedded store shared by the threads of a process (the web thread and the pipeline
 * thread each hold a connection to the same SQLite file). SQLite's own busy handler sleeps in steps of up to
 * 100 ms while another connection writes; a lock word in shared memory wakes the waiter the moment the holder
 * commits. The web thread has priority: the pipeline thread, which writes back to back, does not take the lock
 * while the web thread waits for it, so an acknowledgement waits for at most the one transaction in front of it.
 */
export interface WriteLock {
  /** Blocks this thread until the lock is free (at most `timeoutMs`), then holds it. */
  acquire(timeoutMs?: number): void;
  release(): void;
  /** The shared memory to hand to another thread (`createWriteLock(buffer)` there). */
  readonly buffer: SharedArrayBuffer;
}

/** Words of the shared buffer. */
const STATE = 0;
const PRIORITY_WAITERS = 1;
const FREE = 0;
const HELD = 1;
/** While priority waiters are queued, others re-check this often (ms) in case a wake-up was missed. */
const YIELD_POLL_MS = 5;

export class WriteLockTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`database is busy: the write lock was not free within ${timeoutMs} ms`);
    this.name = 'WriteLockTimeoutError';
  }
}

export const createWriteLock = (buffer: SharedArrayBuffer = new SharedArrayBuffer(8), options: { priority?: boolean } = {}): WriteLock => {
  const words = new Int32Array(buffer, 0, 2);
  const priority = options.priority ?? true;
  const tryTake = (): boolean => Atomics.compareExchange(words, STATE, FREE, HELD) === FREE;
  return {
    buffer,
    acquire(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      const left = (): number => {
        const ms = deadline - Date.now();
        if (ms <= 0) throw new WriteLockTimeoutError(timeoutMs);
        return ms;
      };
      if (priority) {
        if (tryTake()) return;
        Atomics.add(words, PRIORITY_WAITERS, 1);
        try {
          while (!tryTake()) Atomics.wait(words, STATE, HELD, left());
        } finally {
          Atomics.sub(words, PRIORITY_WAITERS, 1);
          Atomics.notify(words, PRIORITY_WAITERS);
        }
        return;
      }
      for (;;) {
        const waiting = Atomics.load(words, PRIORITY_WAITERS);
        if (waiting > 0) {
          // Give way: sleep until the priority waiters are served.
          Atomics.wait(words, PRIORITY_WAITERS, waiting, Math.min(YIELD_POLL_MS, left()));
          continue;
        }
        if (tryTake()) return;
        Atomics.wait(words, STATE, HELD, Math.min(YIELD_POLL_MS, left()));
      }
    },
    release() {
      Atomics.store(words, STATE, FREE);
      Atomics.notify(words, STATE);
    },
  };
};
