import type { Command } from 'commander';
import { runCheckReply } from '../trust/check-reply.js';
import { compileAllowed, phoneRegionsFrom } from '../trust/pii-allow.js';
import { withApp } from './context.js';

export const registerCheckReplyCommand = (program: Command): void => {
  program
    .command('check-reply')
    .description('JSON lines {"id","text","visibility"?} on stdin → {"id","allowed","findings"} per line: would the PII guard let this reply out?')
    .option('--workspace', "apply the workspace's allowed patterns and phone regions (reads the store of PARLEY_DATA_DIR or DATABASE_URL), as the API does")
    .action(async (opts: { workspace?: boolean }) => {
      if (!opts.workspace) return runCheckReply(process.stdin, process.stdout);
      await withApp(async (app) => {
        const workspace = await app.trust.impostors.piiAllow();
        await runCheckReply(process.stdin, process.stdout, { allowed: compileAllowed(workspace.patterns), ...phoneRegionsFrom(workspace.regions) });
      });
    });
};
