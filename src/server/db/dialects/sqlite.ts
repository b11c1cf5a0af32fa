import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteDialect } from 'kysely';

export interface SqliteOptions {
  /** File path, or ':memory:' for tests. */
  file: string;
  synchronous: 'NORMAL' | 'FULL';
}

/**
 * WAL lets readers run beside the single writer; NORMAL sync in WAL mode keeps every committed
 * transaction across a process crash (only an OS crash or power loss can drop the last commits).
 */
export const createSqliteDialect = (options: SqliteOptions): { dialect: SqliteDialect; raw: Database.Database } => {
  if (options.file !== ':memory:') mkdirSync(path.dirname(options.file), { recursive: true });
  const raw = new Database(options.file);
  raw.pragma('journal_mode = WAL');
  raw.pragma(`synchronous = ${options.synchronous}`);
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('cache_size = -65536');
  raw.pragma('temp_store = MEMORY');
  raw.pragma('mmap_size = 268435456');
  return { dialect: new SqliteDialect({ database: raw }), raw };
};
