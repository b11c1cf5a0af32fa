import { CompiledQuery, type Compilable, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.js';

/** A repository runs on the database or inside a transaction, whichever its caller holds. */
export type Executor = Kysely<DB> | Transaction<DB>;

export const toJson = (value: unknown): string => JSON.stringify(value ?? null);

export const fromJson = <T>(text: string | null | undefined, fallback: T): T => {
  if (text === null || text === undefined || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
};

export const flag = (value: boolean | null | undefined): number => (value ? 1 : 0);

/** Splits large id lists so IN (...) stays under both dialects' parameter limits. */
export const chunk = <T>(items: readonly T[], size = 500): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/**
 * A query of fixed shape that runs on every API call (scalar parameters only, no IN lists), built and compiled
 * once per dialect: building and compiling a Kysely query costs more than the embedded store takes to run it.
 * `build` is called once with a marker in place of each argument; each later call runs that SQL with the
 * arguments where the markers were (the query's own constants stay as compiled).
 */
export const compiledOnce = <A extends readonly unknown[], R>(build: (db: Executor, ...args: A) => Compilable<R>) => {
  const byAdapter = new WeakMap<object, { sql: string; slots: (number | { value: unknown })[] }>();
  return async (db: Executor, ...args: A): Promise<R[]> => {
    const adapter = db.getExecutor().adapter;
    let plan = byAdapter.get(adapter);
    if (!plan) {
      const markers = args.map((_, i) => `\u0000parley-arg-${i}\u0000`);
      const compiled = build(db, ...(markers as unknown as A)).compile();
      plan = { sql: compiled.sql, slots: compiled.parameters.map((p) => (typeof p === 'string' && markers.includes(p) ? markers.indexOf(p) : { value: p })) };
      if (plan.slots.filter((s) => typeof s === 'number').length !== args.length) throw new Error('compiledOnce: every argument must appear once as a parameter');
      byAdapter.set(adapter, plan);
    }
    const result = await db.executeQuery<R>(CompiledQuery.raw(plan.sql, plan.slots.map((s) => (typeof s === 'number' ? args[s] : s.value))));
    return result.rows;
  };
};
