import { InvalidArgumentError, type Command } from 'commander';
import type { ProcessRole } from '../app.js';
import { serve } from './serve.js';

const allRoles: ProcessRole[] = ['web', 'worker', 'scheduler'];

export const parseRoles = (value: string): ProcessRole[] => {
  const roles = value.split(',').map((r) => r.trim()).filter(Boolean);
  const bad = roles.filter((r) => !allRoles.includes(r as ProcessRole));
  if (roles.length === 0 || bad.length) throw new InvalidArgumentError(`unknown role(s) ${bad.join(', ') || '(none)'}; choose from ${allRoles.join(', ')}.`);
  return [...new Set(roles)] as ProcessRole[];
};

export const registerStartCommand = (program: Command): void => {
  program
    .command('start')
    .description('run Parley; on an empty embedded store it seeds the demo workspace and simulates traffic')
    .option('--roles <list>', 'comma-separated process roles: web, worker, scheduler', parseRoles, allRoles)
    .option('--no-demo', 'never seed the demo workspace or run the simulator')
    .action(async (opts: { roles: ProcessRole[]; demo: boolean }) => {
      await serve({ roles: opts.roles, demo: opts.demo ? 'auto' : 'never' });
    });
};
