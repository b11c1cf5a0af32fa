import type { CompiledQuery } from 'kysely';

/**
 * Queries whose rows the embedded store returns as arrays of column values, in the select list's order, instead
 * of one object per row: better-sqlite3 builds each object key by key, which for a wide row (the pipeline reads
 * 30 columns per message) cost as much as reading the row. PostgreSQL returns objects as usual; the caller maps
 * them by column name.
 */
const arrayQueries = new WeakSet<CompiledQuery>();

export const wantRowArrays = (query: CompiledQuery): CompiledQuery => {
  arrayQueries.add(query);
  return query;
};

export const wantsRowArrays = (query: CompiledQuery): boolean => arrayQueries.has(query);
