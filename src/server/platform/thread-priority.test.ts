import { readlinkSync } from 'node:fs';
import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { HELPER_NICE_STEPS, yieldHelperThreadsToMain } from './thread-priority.js';

// A thread that tells its own thread id and then waits to be stopped.
const idleThread = async (): Promise<{ tid: number; stop(): Promise<number> }> => {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
     parentPort.postMessage(tid);
     parentPort.on('message', () => process.exit(0));`,
    { eval: true },
  );
  const tid = await new Promise<number>((resolve) => worker.once('message', resolve));
  return { tid, stop: () => worker.terminate() };
};

describe.runIf(process.platform === 'linux')('yieldHelperThreadsToMain', () => {
  it('lowers the other threads of the process below the main thread, once, and leaves the main thread as it was', async () => {
    expect(Number(readlinkSync('/proc/thread-self').split('/').pop())).toBe(process.pid);
    const before = getPriority(process.pid);
    const helper = await idleThread();
    try {
      expect(getPriority(helper.tid)).toBe(before);
      expect(yieldHelperThreadsToMain()).toBeGreaterThan(0);
      expect(getPriority(helper.tid)).toBe(Math.min(19, before + HELPER_NICE_STEPS));
      expect(getPriority(process.pid)).toBe(before);
      // Already lowered: a second call goes no further.
      expect(yieldHelperThreadsToMain()).toBe(0);
      expect(getPriority(helper.tid)).toBe(Math.min(19, before + HELPER_NICE_STEPS));
    } finally {
      await helper.stop();
    }
  });

  it('does nothing when called from a thread that is not the main one', async () => {
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const { register } = require('tsx/cjs/api');
       register();
       const { yieldHelperThreadsToMain } = require(${JSON.stringify(new URL('./thread-priority.ts', import.meta.url).pathname)});
       parentPort.postMessage(yieldHelperThreadsToMain());`,
      { eval: true },
    );
    const lowered = await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(lowered).toBe(0);
  });
});
