import pg from 'pg';
import { PostgresDialect } from 'kysely';
import { statementName } from '../statement-names.js';

// bigint (int8) columns hold epoch milliseconds and counters, all well inside 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number.parseFloat(value));

/**
 * A client that runs the statements marked in statement-names.ts as named prepared statements: parsed once per
 * connection, then only bound and run. Kysely calls `query(text, values)`; every other form passes through.
 */
class NamingClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [text, values] = args;
    const name = args.length === 2 && typeof text === 'string' && Array.isArray(values) ? statementName(text) : undefined;
    const call = super.query.bind(this) as (...a: unknown[]) => never;
    return name ? call({ name, text, values }) : call(...args);
  }
}

export const createPostgresDialect = (url: string, poolSize = 10): { dialect: PostgresDialect; pool: pg.Pool } => {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, Client: NamingClient });
  return { dialect: new PostgresDialect({ pool }), pool };
};
