import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';
import { wantsRowArrays } from '../row-arrays.js';
import { startCheckpointer } from './sqlite-checkpointer.js';

/**
 * Kysely prepares every query anew; preparing costs more than running most of ours. Statements are
 * reusable in better-sqlite3, so keep the most recent ones by SQL text.
 */
const withStatementCache = (raw: Database.Database, size = 500): Database.Database => {
  const cache = new Map<string, Database.Statement>();
  const prepare = (source: string): Database.Statement => {
    let statement = cache.get(source);
    if (statement) {
      cache.delete(source);
    } else {
      statement = raw.prepare(source);
      if (cache.size >= size) cache.delete(cache.keys().next().value as string);
    }
    cache.set(source, statement);
    return statement;
  };
  // Methods bound once: the trap runs on every query (Kysely reads `prepare` each time), and a new function per
  // read was measurable garbage.
  const bound = new Map<PropertyKey, { method: unknown; bound: unknown }>();
  return new Proxy(raw, {
    get(target, property, receiver) {
      if (property === 'prepare') return prepare;
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      let entry = bound.get(property);
      if (entry?.method !== value) bound.set(property, (entry = { method: value, bound: (value as (...a: unknown[]) => unknown).bind(target) }));
      return entry.bound;
    },
  });
};

/** How long a statement waits for a lock another connection holds before its SQLITE_BUSY is thrown. */
const LOCK_WAIT_MS = 5000;

const isBusy = (error: unknown): boolean => typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'SQLITE_BUSY';

/**
 * Waits for a lock without blocking the thread. SQLite's own busy handler sleeps inside the call, in steps of
 * 1, 2, 5, 10 ms and more: every time the checkpoint thread restarted the WAL (holding the write lock a few ms),
 * the thread that also serves HTTP slept 8 to 18 ms. The connection runs with busy_timeout 0 instead and a busy
 * statement is tried again after a timer, the event loop free meanwhile. Only statements that did not run are
 * retried: SQLITE_BUSY means the statement was refused before it changed anything.
 */
const waitingForLocks = (connection: DatabaseConnection, database: Database.Database): DatabaseConnection => ({
  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const started = performance.now();
    for (let delay = 0.5; ; delay = Math.min(delay * 2, 8)) {
      try {
        if (wantsRowArrays(query)) return { rows: rowArrays(database, query) as R[] };
        return await connection.executeQuery<R>(query);
      } catch (error) {
        if (!isBusy(error) || performance.now() - started > LOCK_WAIT_MS) throw error;
        await new Promise<void>((resolve) => setTimeout(resolve, delay));
      }
    }
  },
  streamQuery: <R>(query: CompiledQuery, chunkSize?: number) => connection.streamQuery<R>(query, chunkSize),
});

/** A reading query's rows as arrays (see row-arrays.ts). */
const rowArrays = (database: Database.Database, query: CompiledQuery): unknown[][] => {
  const statement = database.prepare(query.sql);
  statement.raw(true);
  try {
    return statement.all(query.parameters) as unknown[][];
  } finally {
    statement.raw(false);
  }
};

/**
 * Transactions start with BEGIN IMMEDIATE: they take the write lock up front, so a second process on the same
 * file (the worker beside the web process) waits for it instead of failing with SQLITE_BUSY when a deferred
 * transaction tries to upgrade from reading to writing.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  #wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
  readonly #database: Database.Database;

  constructor(config: ConstructorParameters<typeof SqliteDriver>[0] & { database: Database.Database }) {
    super(config);
    this.#database = config.database;
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    let wrapped = this.#wrapped.get(connection);
    if (!wrapped) this.#wrapped.set(connection, (wrapped = waitingForLocks(connection, this.#database)));
    return wrapped;
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly config: ConstructorParameters<typeof SqliteDialect>[0] & { database: Database.Database }) {
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
  // Lock waits happen in waitingForLocks, off the thread's clock (see there).
  raw.pragma('busy_timeout = 0');
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
