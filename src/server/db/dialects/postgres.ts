import pg from 'pg';
import { PostgresDialect } from 'kysely';

// bigint (int8) columns hold epoch milliseconds and counters, all well inside 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number.parseFloat(value));

export const createPostgresDialect = (url: string, poolSize = 10): { dialect: PostgresDialect; pool: pg.Pool } => {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  return { dialect: new PostgresDialect({ pool }), pool };
};
