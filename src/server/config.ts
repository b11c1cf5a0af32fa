import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

/**
 * A whole number from `min` to `max` in decimal digits, or `fallback` when empty or unset; anything else is reported
 * as that range. (Coercion reported `abc` as "expected number, received NaN" and read an empty PORT as 0, a port
 * chosen at random.)
 */
const wholeNumber = <F extends number | undefined>(min: number, max: number, fallback: F) => {
  const range = `must be a whole number from ${min} to ${max}`;
  return optionalString.pipe(
    z
      .string()
      .regex(/^\d+$/, range)
      .transform(Number)
      .pipe(z.number().min(min, range).max(max, range))
      .optional()
      .transform((value): number | F => value ?? fallback),
  );
};

/** One of `values`, named in the message when it is not; empty or unset is `fallback`. */
const oneOf = <const V extends readonly [string, ...string[]]>(values: V, fallback: V[number]) =>
  optionalString.pipe(
    z
      .enum(values, { message: `must be one of ${values.map((v) => `'${v}'`).join(', ')}` })
      .optional()
      .transform((value): V[number] => value ?? fallback),
  );

/** Text, trimmed; empty or unset is `fallback`. */
const textOr = (fallback: string) => optionalString.transform((value) => value ?? fallback);

const envSchema = z.object({
  PORT: wholeNumber(0, 65535, 8080),
  HOST: textOr('127.0.0.1'),
  PARLEY_DATA_DIR: textOr('./data'),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL (leave unset for the embedded SQLite store)')
      .optional(),
  ),
  NATS_URL: optionalString.pipe(z.string().regex(/^(nats|tls):\/\//, 'must be a nats:// URL').optional()),
  PARLEY_SECRET_KEY: optionalString.pipe(z.string().min(32, 'must be at least 32 characters (or 64 hex digits)').optional()),
  PARLEY_PUBLIC_URL: optionalString.pipe(z.url('must be an absolute URL').optional()),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
  PARLEY_SQLITE_SYNC: oneOf(['NORMAL', 'FULL'], 'NORMAL'),
  PARLEY_WORKER_BATCH: wholeNumber(1, 5000, undefined),
  PARLEY_CLASSIFIER_THREAD: oneOf(['on', 'off'], 'on'),
  PARLEY_SMTP_URL: optionalString.pipe(z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional()),
  PARLEY_SMTP_FROM: optionalString,
  PARLEY_ALLOW_PRIVATE_URLS: optionalString,
  PARLEY_ATTACHMENT_MAX_BYTES: wholeNumber(1024, 1024 * 1024 * 1024, 25 * 1024 * 1024),
});

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly databaseUrl: string | null;
  readonly natsUrl: string | null;
  /** 32-byte key for secrets at rest; null means "use or create the key file in the data directory". */
  readonly secretKey: Buffer | null;
  readonly publicUrl: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly sqliteSynchronous: 'NORMAL' | 'FULL';
  readonly workerBatch: number;
  /** The understand stage classifies on a thread of its own (another core) instead of the worker's. */
  readonly classifierThread: boolean;
  /** The workspace's system mail (one-time codes, private replies); null when no mail server is configured. */
  readonly smtp: { readonly url: string; readonly from: string | null } | null;
  /** Private hosts, addresses and CIDR ranges outgoing requests may reach anyway (`*`: all); empty in production. */
  readonly allowPrivateUrls: readonly string[];
  /** Largest reply attachment accepted at upload, in bytes (channels may take less). */
  readonly attachmentMaxBytes: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Parley cannot start, the configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Most messages one pipeline transaction handles when no request is waiting. A transaction pays fixed costs that
 * larger batches spread (its commit, configuration reads, tens of statements that each cost a round trip to
 * PostgreSQL), and the messages of one conversation that fall into the same batch update its row once. On the
 * embedded store a batch also holds the thread that answers HTTP: 2,000 messages held it for at most 0.26 s on a
 * 2-core machine, against 0.47 s for 4,000. A request that arrives waits at most that long, and while requests keep
 * arriving the worker sizes its transactions to about 10 ms instead (WorkerOptions.latencyBudgetMs). PostgreSQL
 * work leaves the thread between statements (4,000 messages: at most 0.12 s at a stretch), so its batches are
 * larger: from 500 to 4,000 messages, about 3,700 to 5,100 messages/s in the pipeline benchmark.
 */
export const DEFAULT_WORKER_BATCH = { sqlite: 2000, postgres: 4000 } as const;

const parseSecretKey = (value: string): Buffer =>
  /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex') : createHash('sha256').update(value).digest();

/** Reads the environment once; every problem is listed together so one restart fixes them all. */
export const loadConfig = (env: Readonly<Record<string, string | undefined>>, overrides: Partial<Config> = {}): Config => {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  const config: Config = {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.PARLEY_DATA_DIR),
    databaseUrl: e.DATABASE_URL ?? null,
    natsUrl: e.NATS_URL ?? null,
    secretKey: e.PARLEY_SECRET_KEY ? parseSecretKey(e.PARLEY_SECRET_KEY) : null,
    publicUrl: (e.PARLEY_PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/$/, ''),
    logLevel: e.LOG_LEVEL,
    sqliteSynchronous: e.PARLEY_SQLITE_SYNC,
    workerBatch: e.PARLEY_WORKER_BATCH ?? (e.DATABASE_URL ? DEFAULT_WORKER_BATCH.postgres : DEFAULT_WORKER_BATCH.sqlite),
    classifierThread: e.PARLEY_CLASSIFIER_THREAD === 'on',
    smtp: e.PARLEY_SMTP_URL ? { url: e.PARLEY_SMTP_URL, from: e.PARLEY_SMTP_FROM ?? null } : null,
    allowPrivateUrls: (e.PARLEY_ALLOW_PRIVATE_URLS ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean),
    attachmentMaxBytes: e.PARLEY_ATTACHMENT_MAX_BYTES,
    ...overrides,
  };
  return Object.freeze(config);
};
