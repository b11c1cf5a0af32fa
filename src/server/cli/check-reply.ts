import type { Command } from 'commander';
import { runCheckReply } from '../trust/check-reply.js';

export const registerCheckReplyCommand = (program: Command): void => {
  program
    .command('check-reply')
    .description('JSON lines {"id","text","visibility"?} on stdin → {"id","allowed","findings"} per line: would the PII guard let this reply out?')
    .action(async () => {
      await runCheckReply(process.stdin, process.stdout);
    });
};
