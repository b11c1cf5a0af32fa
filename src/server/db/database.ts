import path from 'node:path';
import { Kysely, Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import * as initial from './migrations/0001-initial.js';
import * as incidents from './migrations/0002-incidents.js';
import * as decide from './migrations/0003-decide.js';
import * as trust from './migrations/0005-trust.js';
import * as listRows from './migrations/0006-list-rows.js';
import * as channelsMigration from './migrations/0007-channels.js';
import * as corrections from './migrations/0008-corrections.js';
import * as search from './migrations/0009-search.js';
import * as conversationOperations from './migrations/0010-conversation-operations.js';
import * as slaSweep from './migrations/0011-sla-sweep.js';
import * as privateDmProof from './migrations/0012-private-dm-proof.js';
import * as chat from './migrations/0013-chat.js';
import * as heldEvents from './migrations/0014-held-events.js';
import * as customerRecords from './migrations/0016-customer-records.js';
import * as attachments from './migrations/0017-attachments.js';
import * as privateLinkLimits from './migrations/0018-private-link-limits.js';
import * as decidedOrder from './migrations/0019-decided-order.js';
import * as answerOwed from './migrations/0020-answer-owed.js';
import * as searchAfterIngest from './migrations/0021-search-after-ingest.js';
import * as incidentWindow from './migrations/0022-incident-window.js';
import * as outboundByConversation from './migrations/0023-outbound-by-conversation.js';
import * as sparseIndexes from './migrations/0024-sparse-indexes.js';
import * as correlatedMessagesIndex from './migrations/0025-correlated-messages-index.js';
import type { DB } from './schema.js';
import { createSqliteDialect } from './dialects/sqlite.js';
import { createPostgresDialect } from './dialects/postgres.js';

export type DialectName = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<DB>;
  dialect: DialectName;
  /** True where `FOR UPDATE SKIP LOCKED` exists (PostgreSQL); SQLite has a single writer instead. */
  supportsSkipLocked: boolean;
  /** The SQLite database file (':memory:' in tests); null on PostgreSQL. */
  file: string | null;
  close(): Promise<void>;
}

export interface StoreOptions {
  databaseUrl: string | null;
  dataDir: string;
  /** ':memory:' for tests; default `<dataDir>/parley.db`. */
  sqliteFile?: string;
  sqliteSynchronous?: 'NORMAL' | 'FULL';
  poolSize?: number;
}

// One line per migration, in order.
const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-incidents': incidents,
  '0003-decide': decide,
  '0005-trust': trust,
  '0006-list-rows': listRows,
  '0007-channels': channelsMigration,
  '0008-corrections': corrections,
  '0009-search': search,
  '0010-conversation-operations': conversationOperations,
  '0011-sla-sweep': slaSweep,
  '0012-private-dm-proof': privateDmProof,
  '0013-chat': chat,
  '0014-held-events': heldEvents,
  '0016-customer-records': customerRecords,
  '0017-attachments': attachments,
  '0018-private-link-limits': privateLinkLimits,
  '0019-decided-order': decidedOrder,
  '0020-answer-owed': answerOwed,
  '0021-search-after-ingest': searchAfterIngest,
  '0022-incident-window': incidentWindow,
  '0023-outbound-by-conversation': outboundByConversation,
  '0024-sparse-indexes': sparseIndexes,
  '0025-correlated-messages-index': correlatedMessagesIndex,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Where the embedded store keeps its database in a data folder. */
export const sqliteFileIn = (dataDir: string): string => path.join(dataDir, 'parley.db');

export const openStore = (options: StoreOptions): Store => {
  if (options.databaseUrl) {
    const { dialect, pool } = createPostgresDialect(options.databaseUrl, options.poolSize);
    const db = new Kysely<DB>({ dialect });
    return { db, dialect: 'postgres', supportsSkipLocked: true, file: null, close: async () => { await db.destroy(); void pool; } };
  }
  const file = options.sqliteFile ?? sqliteFileIn(options.dataDir);
  const { dialect, stopCheckpointer } = createSqliteDialect({ file, synchronous: options.sqliteSynchronous ?? 'NORMAL' });
  const db = new Kysely<DB>({ dialect });
  return {
    db,
    dialect: 'sqlite',
    supportsSkipLocked: false,
    file,
    close: async () => {
      await stopCheckpointer();
      await db.destroy();
    },
  };
};

/**
 * The migrator asks whether its own schema and tables exist. Kysely's PostgreSQL introspection answers by reading
 * every table of every schema in the database, calling functions that fail with "schema … does not exist" when
 * another schema is dropped meanwhile (another application sharing the database, or a parallel test's clean-up),
 * and it slows down with every schema there is. This answers from the one schema the migrations run in.
 */
const withIntrospectionOf = (db: Kysely<DB>, schema: string): Kysely<DB> => {
  const introspection = {
    getSchemas: async () => (await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace where nspname = ${schema}`.execute(db)).rows,
    // Only the names the migrator compares: its own tables' name and schema.
    getTables: async () => (await sql<{ name: string; schema: string }>`select table_name as name, table_schema as schema from information_schema.tables where table_schema = ${schema}`.execute(db)).rows,
  };
  return new Proxy(db, {
    get(target, property) {
      if (property === 'introspection') return introspection;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
};

/** Applies every pending migration; safe to run on every start and from several processes (Kysely locks). */
export const migrateToLatest = async (store: Store): Promise<string[]> => {
  // On PostgreSQL the migration tables live in, and are looked up in, the schema the connection works in.
  const schema = store.dialect === 'postgres' ? (await sql<{ s: string }>`select current_schema() as s`.execute(store.db)).rows[0]?.s : undefined;
  const migrator = new Migrator({ db: schema ? withIntrospectionOf(store.db, schema) : store.db, provider, migrationTableName: 'parley_migrations', migrationLockTableName: 'parley_migrations_lock', allowUnorderedMigrations: true, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
};
