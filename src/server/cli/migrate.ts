import type { Command } from 'commander';
import { migrateToLatest, openStore } from '../db/database.js';
import { readConfig } from './context.js';

export const registerMigrateCommand = (program: Command): void => {
  program
    .command('migrate')
    .description('apply pending database migrations (start also does this)')
    .action(async () => {
      const config = readConfig();
      const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, sqliteSynchronous: config.sqliteSynchronous });
      try {
        const applied = await migrateToLatest(store);
        process.stdout.write(applied.length ? `applied ${applied.join(', ')}\n` : 'database is up to date\n');
      } finally {
        await store.close();
      }
    });
};
