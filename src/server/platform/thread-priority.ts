import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';

/** How far below the main thread the other threads run (nice steps; 19 is the lowest priority there is). */
export const HELPER_NICE_STEPS = 10;

/**
 * Lets the main thread run before every other thread of this process when the cores are busy, on Linux (the only
 * system where a thread has a priority of its own); elsewhere it does nothing.
 *
 * The main thread answers HTTP, and on the embedded store it is also the single writer that every pipeline stage
 * waits on: under load it is the bottleneck. The other threads help it and can wait a little: V8's garbage
 * collection helpers (concurrent marking catches up, and the main thread joins a scavenge anyway), the classifier
 * thread (it works ahead of the stage that waits for it), the WAL checkpointer and libuv's pool. On a 2-core
 * machine at full load the main thread spent 0.4–0.5 s of a 2.7 s run waiting for a core those threads held;
 * with them 10 steps lower it waited about 0.2 s.
 *
 * Threads that start later inherit the main thread's priority: call this after the process's threads are up. Only
 * lowers: a thread already at or below its target is left as it is, so calling again changes nothing. Returns how
 * many threads it lowered.
 */
export const yieldHelperThreadsToMain = (steps = HELPER_NICE_STEPS): number => {
  if (process.platform !== 'linux' || !isMainThread) return 0;
  let lowered = 0;
  try {
    const target = Math.min(19, getPriority(process.pid) + steps);
    for (const entry of readdirSync('/proc/self/task')) {
      const tid = Number(entry);
      if (tid === process.pid) continue;
      try {
        // On Linux a thread id names one thread here, not the process.
        if (getPriority(tid) < target) {
          setPriority(tid, target);
          lowered += 1;
        }
      } catch {
        // The thread ended meanwhile, or the system refuses: it keeps its priority.
      }
    }
  } catch {
    // No /proc: nothing to do.
  }
  return lowered;
};
