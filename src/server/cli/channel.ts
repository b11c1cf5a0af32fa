import { Option, type Command } from 'commander';
import { platforms, type Platform } from '../../shared/envelope.js';
import { systemActor } from '../../shared/permissions.js';
import { isAppError } from '../platform/errors.js';
import { CliError, parseJsonObject, withApp } from './context.js';

/** A missing channel is the user's mistake: say so without a stack trace. */
const asCliError = (error: unknown): never => {
  throw isAppError(error) ? new CliError(error.message) : error;
};

export const registerChannelCommand = (program: Command): void => {
  const channel = program.command('channel').description('manage channels');
  channel
    .command('add')
    .description('add a channel; credentials are sealed at rest and never printed')
    .addOption(new Option('--platform <platform>', 'platform').choices(platforms).makeOptionMandatory())
    .requiredOption('--name <name>', 'channel name shown to agents')
    .option('--config <json>', 'platform settings as a JSON object', '{}')
    .option('--credentials <json>', 'platform credentials as a JSON object')
    .option('--own-account-ids <list>', "comma-separated ids of the brand's own accounts (echo suppression)")
    .action(async (opts: { platform: Platform; name: string; config: string; credentials?: string; ownAccountIds?: string }) => {
      const config = parseJsonObject(opts.config, '--config');
      const credentials = opts.credentials === undefined ? null : parseJsonObject(opts.credentials, '--credentials');
      const ownAccountIds = opts.ownAccountIds ? opts.ownAccountIds.split(',').map((s) => s.trim()).filter(Boolean) : [];
      const created = await withApp((app) => app.services.channels.create({ platform: opts.platform, name: opts.name, config, credentials, ownAccountIds }, systemActor('cli')));
      process.stdout.write(`${created.id}\n`);
    });
  channel
    .command('test')
    .description("check a channel's credentials against its platform; exits 1 when they fail")
    .argument('<id>', 'channel id')
    .action(async (id: string) => {
      const outcome = await withApp((app) => app.channelRuntime.test(id)).catch(asCliError);
      process.stdout.write(`${outcome.ok ? 'ok' : 'failed'}: ${outcome.detail}\n`);
      if (!outcome.ok) throw new CliError(`channel ${id} failed its credential check`);
    });
  for (const [name, status, description] of [
    ['pause', 'paused', 'stop taking messages in and sending on a channel (resume with `channel resume`)'],
    ['resume', 'active', 'take messages in and send on a paused channel again'],
    ['remove', 'removed', 'remove a channel; its conversations stay'],
  ] as const) {
    channel
      .command(name)
      .description(description)
      .argument('<id>', 'channel id')
      .action(async (id: string) => {
        await withApp((app) => app.services.channels.setStatus(id, status, systemActor('cli'))).catch(asCliError);
        process.stdout.write(`${id} ${status}\n`);
      });
  }
};
