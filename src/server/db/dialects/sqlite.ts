import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from 'kysely';
import { startCheckpointer } from './sqlite-checkpointer.js';

/**
 * Kysely prepares every query anew; preparing costs more than running most of ours. Statements are
 * reusable in better-sqlite3, so keep the most recent ones by SQL text.
 */
const withStatementCache = (raw: Database.Database, size = 500): Database.Database => {
  const cache = new Map<string, Database.Statement>();
  return new Proxy(raw, {
    get(target, property, receiver) {
      if (property === 'prepare') {
        return (source: string) => {
          let statement = cache.get(source);
          if (statement) {
            cache.delete(source);
          } else {
            statement = target.prepare(source);
            if (cache.size >= size) cache.delete(cache.keys().next().value as string);
          }
          cache.set(source, statement);
          return statement;
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
};

/**
 * Transactions start with BEGIN IMMEDIATE: they take the write lock up front, so a second process on the same
 * file (the worker beside the web process) waits for it under busy_timeout instead of failing with
 * SQLITE_BUSY when a deferred transaction tries to upgrade from reading to writing.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly config: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(config);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.config);
  }
}

/**
 * The WAL is kept under this size. The checkpointer restarts it (RESTART) at half of it, so the writer, which
 * begins the WAL again on its next commit, never has to cut the file down first: truncating a WAL of a few hundred
 * megabytes took the writer (the thread that also serves HTTP) about 40 ms, once every few seconds under load.
 */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;
const WAL_RESTART_PAGES = WAL_SIZE_LIMIT_BYTES / 2 / 4096;

export interface SqliteOptions {
  /** File path, or ':memory:' for tests. */
  file: string;
  synchronous: 'NORMAL' | 'FULL';
}

/**
 * WAL lets readers run beside the single writer; NORMAL sync in WAL mode keeps every committed
 * transaction across a process crash (only an OS crash or power loss can drop the last commits).
 */
export const createSqliteDialect = (options: SqliteOptions): { dialect: SqliteDialect; raw: Database.Database; stopCheckpointer(): Promise<void> } => {
  if (options.file !== ':memory:') mkdirSync(path.dirname(options.file), { recursive: true });
  const raw = new Database(options.file);
  raw.pragma('journal_mode = WAL');
  raw.pragma(`synchronous = ${options.synchronous}`);
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('cache_size = -65536');
  raw.pragma('temp_store = MEMORY');
  // A file database is checkpointed by a background thread (see sqlite-checkpointer.ts), so commits never do it;
  // in memory there is no WAL to checkpoint.
  raw.pragma(options.file === ':memory:' ? 'wal_autocheckpoint = 10000' : 'wal_autocheckpoint = 0');
  raw.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  raw.pragma('mmap_size = 268435456');
  const checkpointer = options.file === ':memory:' ? null : startCheckpointer(options.file, { restartPages: WAL_RESTART_PAGES });
  return { dialect: new ImmediateSqliteDialect({ database: withStatementCache(raw) }), raw, stopCheckpointer: async () => checkpointer?.stop() };
};
