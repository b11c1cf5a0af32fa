import { randomBytes } from 'node:crypto';
import { Option, type Command } from 'commander';
import { roles, systemActor, type Role } from '../../shared/permissions.js';
import { withApp } from './context.js';

/** A readable generated password: 18 random bytes in base64url, about 144 bits. */
export const generatePassword = (): string => randomBytes(18).toString('base64url');

export const registerUserCommand = (program: Command): void => {
  const user = program.command('user').description('manage users');
  user
    .command('create')
    .description('create a user; prints a generated password when none is given')
    .requiredOption('--email <email>', 'login email')
    .requiredOption('--name <name>', 'display name')
    .addOption(new Option('--role <role>', 'role').choices(roles).makeOptionMandatory())
    .option('--password <password>', 'password (generated and printed when omitted)')
    .option('--skills <list>', 'comma-separated skills, e.g. lang:en,intent:billing')
    .action(async (opts: { email: string; name: string; role: Role; password?: string; skills?: string }) => {
      const password = opts.password ?? generatePassword();
      const skills = opts.skills ? opts.skills.split(',').map((s) => s.trim()).filter(Boolean) : [];
      const created = await withApp((app) => app.services.users.create({ email: opts.email, name: opts.name, role: opts.role, password, skills }, systemActor('cli')));
      process.stdout.write(`created ${created.role} ${created.email} (id ${created.id})\n`);
      if (!opts.password) process.stdout.write(`password: ${password}\n`);
    });
};
