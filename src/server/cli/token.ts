import type { Command } from 'commander';
import { systemActor } from '../../shared/permissions.js';
import { CliError, positiveInt, withApp } from './context.js';

export const registerTokenCommand = (program: Command): void => {
  const token = program.command('token').description('manage API tokens');
  token
    .command('create')
    .description('create an API token for a user; the token is printed once and stored only as a hash')
    .requiredOption('--email <email>', 'the user the token acts as')
    .requiredOption('--name <name>', 'a label for the token, e.g. "crm sync"')
    .option('--expires-days <days>', 'days until the token expires (default: never)', positiveInt)
    .action(async (opts: { email: string; name: string; expiresDays?: number }) => {
      const created = await withApp(async (app) => {
        const user = await app.repos.users.findByEmailWithHash(opts.email.trim().toLowerCase());
        if (!user) throw new CliError(`no user with email ${opts.email}`);
        const expiresAt = opts.expiresDays ? app.clock.now() + opts.expiresDays * 86_400_000 : null;
        return app.services.auth.createToken(user.id, opts.name, systemActor('cli'), expiresAt);
      });
      process.stdout.write(`${created.token}\n`);
    });
};
