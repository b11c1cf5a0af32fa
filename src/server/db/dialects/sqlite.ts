import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from 'kysely';
import type { WriteLock } from '../../platform/write-lock.js';
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
const TRANSACTION_CONTROL = /^\s*(begin|commit|rollback|savepoint|release)\b/i;

/** What the driver asks the connection about a statement before running it. */
interface StatementProbe {
  inTransaction(): boolean;
  readonly(sql: string): boolean;
}

class ImmediateSqliteDriver extends SqliteDriver {
  private locking: DatabaseConnection | null = null;

  constructor(
    config: ConstructorParameters<typeof SqliteDriver>[0],
    private readonly writeLock: WriteLock | null,
    private readonly probe: StatementProbe,
  ) {
    super(config);
  }

  /**
   * A write outside a transaction (an autocommit UPDATE, INSERT … RETURNING) takes the shared write lock too:
   * otherwise it would hold SQLite's lock unseen and the other thread's BEGIN would fall back to busy sleeps.
   * Reads, transaction control and statements inside our own transaction pass straight through.
   */
  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    const lock = this.writeLock;
    if (!lock) return connection;
    const probe = this.probe;
    this.locking ??= {
      async executeQuery<R>(query: CompiledQuery) {
        // BEGIN IMMEDIATE counts as a write to SQLite: the transaction methods below hold the lock for it.
        if (probe.inTransaction() || TRANSACTION_CONTROL.test(query.sql) || probe.readonly(query.sql)) return connection.executeQuery<R>(query);
        lock.acquire();
        try {
          return await connection.executeQuery<R>(query);
        } finally {
          lock.release();
        }
      },
      streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
    };
    return this.locking;
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    // Threads of this process sharing the file queue on the write lock first (see platform/write-lock.ts).
    this.writeLock?.acquire();
    try {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    } catch (err) {
      this.writeLock?.release();
      throw err;
    }
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw('commit'));
    } finally {
      this.writeLock?.release();
    }
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw('rollback'));
    } finally {
      this.writeLock?.release();
    }
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(
    private readonly config: ConstructorParameters<typeof SqliteDialect>[0],
    private readonly writeLock: WriteLock | null,
    private readonly probe: StatementProbe,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.config, this.writeLock, this.probe);
  }
}

export interface SqliteOptions {
  /** File path, or ':memory:' for tests. */
  file: string;
  synchronous: 'NORMAL' | 'FULL';
  /** Shared with the other threads of this process that open the same file. */
  writeLock?: WriteLock | null;
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
  raw.pragma('journal_size_limit = 67108864');
  raw.pragma('mmap_size = 268435456');
  const checkpointer = options.file === ':memory:' ? null : startCheckpointer(options.file);
  const cached = withStatementCache(raw);
  const probe: StatementProbe = { inTransaction: () => raw.inTransaction, readonly: (source) => cached.prepare(source).readonly };
  return { dialect: new ImmediateSqliteDialect({ database: cached }, options.writeLock ?? null, probe), raw, stopCheckpointer: async () => checkpointer?.stop() };
};
