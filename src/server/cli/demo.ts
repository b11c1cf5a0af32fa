import type { Command } from 'commander';
import { positiveInt, positiveNumber } from './context.js';
import { serve } from './serve.js';

export const registerDemoCommand = (program: Command): void => {
  program
    .command('demo')
    .description('seed the "Acme Telecom" demo workspace (once) and run the full server with simulated traffic')
    .option('--rate <perSecond>', 'simulated messages per second outside outage bursts', positiveNumber, 2)
    .option('--seed <n>', 'random seed for the simulated stream', positiveInt)
    .option('--duration <seconds>', 'stop after this many seconds', positiveNumber)
    .action(async (opts: { rate: number; seed?: number; duration?: number }) => {
      await serve({ roles: ['web', 'worker', 'scheduler'], demo: 'always', rate: opts.rate, ...(opts.seed ? { seed: opts.seed } : {}), ...(opts.duration ? { durationSeconds: opts.duration } : {}) });
    });
};
