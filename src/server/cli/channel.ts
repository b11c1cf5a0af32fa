import { Option, type Command } from 'commander';
import { platforms, type Platform } from '../../shared/envelope.js';
import { systemActor } from '../../shared/permissions.js';
import { parseJsonObject, withApp } from './context.js';

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
};
