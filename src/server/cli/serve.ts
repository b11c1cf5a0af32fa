import { createApp, type ProcessRole } from '../app.js';
import { createDemoSimulator, type DemoSimulator } from '../demo/simulator.js';
import { seedDemoHistory } from '../demo/history.js';
import { formatLogins, seedDemoWorkspace, wasDemoSeeded } from '../demo/seed.js';
import { createLogger } from '../platform/logger.js';
import { readConfig } from './context.js';

export interface ServeOptions {
  roles: ProcessRole[];
  /** 'auto': seed and simulate on an empty store, and keep simulating after restarts of a seeded demo; 'always': seed if needed and simulate; 'never'. */
  demo: 'auto' | 'always' | 'never';
  rate?: number;
  seed?: number;
  /** Stop by itself after this many seconds (demo recordings, smoke tests). */
  durationSeconds?: number;
}

const waitForShutdown = (durationSeconds?: number): Promise<string> =>
  new Promise((resolve) => {
    const done = (reason: string) => () => resolve(reason);
    process.once('SIGINT', done('SIGINT'));
    process.once('SIGTERM', done('SIGTERM'));
    if (durationSeconds) setTimeout(done('duration elapsed'), durationSeconds * 1000).unref();
  });

/** Runs the server roles until SIGINT/SIGTERM, with the demo workspace and simulator when asked. */
export const serve = async (options: ServeOptions): Promise<void> => {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  const app = await createApp({ config, logger });
  let simulator: DemoSimulator | null = null;
  const isEmpty = (await app.repos.users.list()).length === 0;
  if (options.demo === 'always' || (options.demo === 'auto' && (isEmpty || wasDemoSeeded(config.dataDir)))) {
    const seeded = await seedDemoWorkspace(app);
    if (seeded.created && seeded.channels && options.roles.includes('worker')) {
      process.stdout.write('Preparing the demo: a few hours of handled history…\n');
      await seedDemoHistory(app, seeded.channels);
    }
    if (seeded.channels) {
      simulator = createDemoSimulator({
        ingest: (envelopes) => app.services.ingest(envelopes),
        channels: seeded.channels,
        clock: app.clock,
        ...(options.rate ? { ratePerSecond: options.rate } : {}),
        ...(options.seed ? { seed: options.seed } : {}),
        onError: (error) => logger.error({ err: error }, 'demo simulator step failed'),
      });
    }
    if (seeded.logins.length) process.stdout.write(`\nDemo workspace "Acme Telecom"${seeded.created ? ' created' : ''}. Logins:\n${formatLogins(seeded.logins)}\n`);
  }
  await app.start(options.roles);
  simulator?.start();
  if (options.roles.includes('web')) process.stdout.write(`\nParley is running at ${config.publicUrl} (roles: ${options.roles.join(', ')}${simulator ? ', demo traffic on' : ''})\n\n`);
  else process.stdout.write(`Parley ${options.roles.join(', ')} running\n`);
  const reason = await waitForShutdown(options.durationSeconds);
  logger.info({ reason }, 'shutting down');
  await simulator?.stop();
  await app.stop();
  if (simulator) process.stdout.write(`demo simulator ingested ${simulator.total} messages\n`);
};
