/** The `parley` command line: one subcommand per file in cli/, parsed with commander. */
import { Command, CommanderError } from 'commander';
import { registerAuditCommand } from './cli/audit.js';
import { registerBenchCommand } from './cli/bench.js';
import { registerChannelCommand } from './cli/channel.js';
import { registerCheckReplyCommand } from './cli/check-reply.js';
import { registerClassifyCommand } from './cli/classify.js';
import { CliError, exitCodes, isConfigError } from './cli/context.js';
import { registerDemoCommand } from './cli/demo.js';
import { registerExportCommand } from './cli/export.js';
import { registerImportCommand } from './cli/import.js';
import { registerMigrateCommand } from './cli/migrate.js';
import { registerStartCommand } from './cli/start.js';
import { registerTokenCommand } from './cli/token.js';
import { registerTrainCommands } from './cli/train.js';
import { registerUserCommand } from './cli/user.js';
import { AppError } from './platform/errors.js';

export const buildProgram = (): Command => {
  const program = new Command('parley')
    .description('Parley: self-hosted social customer service')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: (text) => process.stderr.write(text),
    });
  registerStartCommand(program);
  registerDemoCommand(program);
  registerMigrateCommand(program);
  registerUserCommand(program);
  registerTokenCommand(program);
  registerChannelCommand(program);
  registerImportCommand(program);
  registerExportCommand(program);
  registerClassifyCommand(program);
  registerCheckReplyCommand(program);
  registerTrainCommands(program);
  registerBenchCommand(program);
  registerAuditCommand(program);
  return program;
};

/** Maps every failure to a message and an exit code: 2 for usage and configuration, 1 for the rest. */
const exitCodeFor = (error: unknown): number => {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : exitCodes.usage;
  if (isConfigError(error)) {
    process.stderr.write(`${error.message}\n`);
    return exitCodes.usage;
  }
  if (error instanceof CliError) {
    process.stderr.write(`parley: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof AppError) {
    process.stderr.write(`parley: ${error.code}: ${error.message}\n`);
    return exitCodes.failure;
  }
  process.stderr.write(`parley: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return exitCodes.failure;
};

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeFor(error);
}
// Long-running commands resolve only after their graceful shutdown, so any handle still open here
// (a pool, a log destination) is safe to drop; stdout and stderr writes to pipes are synchronous on Linux.
process.exit(process.exitCode ?? 0);
