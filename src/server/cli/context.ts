import { InvalidArgumentError } from 'commander';
import { pino } from 'pino';
import { createApp, type ParleyApp } from '../app.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { createLogger, type Logger } from '../platform/logger.js';

/** Exit codes: 1 for a failed operation, 2 for bad usage or bad configuration. */
export const exitCodes = { failure: 1, usage: 2 } as const;

/** An expected failure: its message is printed without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = exitCodes.failure,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Reads the environment once; a ConfigError is reported by main with every problem listed. */
export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig(env);

export const isConfigError = (error: unknown): error is ConfigError => error instanceof ConfigError;

/** Logs go to stderr so commands that print JSON lines keep stdout clean; quiet unless something goes wrong. */
export const stderrLogger = (config: Config, quietLevel = 'warn'): Logger =>
  createLogger(config.logLevel === 'info' ? quietLevel : config.logLevel, pino.destination(2));

/** Opens the app for a one-shot command and always closes it. */
export const withApp = async <T>(work: (app: ParleyApp) => Promise<T>, options: { logger?: Logger } = {}): Promise<T> => {
  const config = readConfig();
  const app = await createApp({ config, logger: options.logger ?? stderrLogger(config) });
  try {
    return await work(app);
  } finally {
    await app.stop();
  }
};

/** Parses a JSON option value, naming the option when it is not a JSON object. */
export const parseJsonObject = (value: string, option: string): Record<string, unknown> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new CliError(`${option} must be JSON, got ${JSON.stringify(value)}`, exitCodes.usage);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CliError(`${option} must be a JSON object`, exitCodes.usage);
  return parsed as Record<string, unknown>;
};

/** Writes one line, waiting when the pipe is full so large exports do not buffer in memory. */
export const writeLine = async (out: NodeJS.WritableStream, value: unknown): Promise<void> => {
  if (!out.write(`${JSON.stringify(value)}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
};

/** A commander option parser for positive whole numbers; commander reports the bad value and we exit 2. */
export const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number.');
  return n;
};

/** Like positiveInt but allows fractions (rates, seconds). */
export const positiveNumber = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number.');
  return n;
};
