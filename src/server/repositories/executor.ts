import { CompiledQuery, sql, type Compilable, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import { wantRowArrays } from '../db/row-arrays.js';
import { nameStatement } from '../db/statement-names.js';
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

/** The row whose values are `values`, keyed by `columns` in the same order (rows of compiledRows and compiledArrayReads). */
export const rowOf = <C extends string>(columns: readonly C[], values: readonly unknown[]): Record<C, unknown> => {
  const row = {} as Record<C, unknown>;
  for (let i = 0; i < columns.length; i += 1) row[columns[i]!] = values[i];
  return row;
};

/** Rows as a VALUES list, each value a parameter (`(?, ?), (?, ?)`), for `from (values …) as v`. */
export const valueRows = (rows: readonly (readonly unknown[])[]): RawBuilder<unknown> => sql.join(rows.map((r) => sql`(${sql.join(r)})`));

/** `true` only when `Listed` names every column of `Table`: a column list that misses one fails to compile. */
export type ListsEvery<Table, Listed> = Exclude<keyof Table, Listed> extends never ? true : never;

/** Splits large id lists so IN (...) stays under both dialects' parameter limits. */
export const chunk = <T>(items: readonly T[], size = 500): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

interface Plan {
  sql: string;
  /** Per parameter: the index of the call's value that goes there, or a constant of the statement itself. */
  slots: (number | { value: unknown })[];
  /** The slots are the call's values in their order, nothing else: the values are the parameters as they are. */
  identity: boolean;
}

/**
 * Plans compiled once per dialect and per count of values: `compile` gets markers in place of the values, and each
 * marker must reach the SQL as a parameter exactly once.
 */
const plansByCount = (who: string) => {
  const byAdapter = new WeakMap<object, Map<number, Plan>>();
  return (db: Executor, count: number, compile: (markers: string[]) => CompiledQuery): Plan => {
    const adapter = db.getExecutor().adapter;
    let plans = byAdapter.get(adapter);
    if (!plans) byAdapter.set(adapter, (plans = new Map()));
    let plan = plans.get(count);
    if (!plan) {
      const markers = Array.from({ length: count }, (_, i) => `\u0000parley-value-${i}\u0000`);
      const index = new Map(markers.map((marker, k) => [marker, k]));
      const compiled = compile(markers);
      const slots = compiled.parameters.map((p) => (typeof p === 'string' && index.has(p) ? index.get(p)! : { value: p }));
      const used = slots.filter((slot) => typeof slot === 'number');
      if (used.length !== count || new Set(used).size !== count) throw new Error(`${who}: every value must appear once as a parameter`);
      plan = { sql: compiled.sql, slots, identity: slots.every((slot, i) => slot === i) };
      plans.set(count, plan);
    }
    return plan;
  };
};

/**
 * The query with `values` in the plan's slots. `owned`: the array is the caller's own, made for this query, and may
 * serve as the parameters themselves (Kysely freezes them) when the plan takes the values as they are.
 */
const queryOf = (plan: Plan, values: readonly unknown[], owned = false): CompiledQuery =>
  CompiledQuery.raw(plan.sql, owned && plan.identity ? (values as unknown[]) : plan.slots.map((slot) => (typeof slot === 'number' ? values[slot] : slot.value)));

/**
 * A query of fixed shape that runs on every API call, built and compiled once per dialect: building and compiling
 * a Kysely query costs more than the embedded store takes to run it. An IN list is passed spread, one argument per
 * value: the plan is kept per count of arguments.
 * `build` is called once with a marker in place of each argument; each later call runs that SQL with the
 * arguments where the markers were (the query's own constants stay as compiled).
 */
export const compiledOnce = <A extends readonly unknown[], R>(build: (db: Executor, ...args: A) => Compilable<R>) => {
  const planFor = plansByCount('compiledOnce');
  return async (db: Executor, ...args: A): Promise<R[]> => {
    const plan = planFor(db, args.length, (markers) => build(db, ...(markers as unknown as A)).compile());
    return (await db.executeQuery<R>(queryOf(plan, args))).rows;
  };
};

/** Statement sizes, in rows: the powers of two and three times the powers of two (1, 2, 3, 4, 6, 8, 12, 16, 24, …). */
const ROW_COUNTS = Array.from({ length: 31 }, (_, k) => 2 ** k).flatMap((p) => (p >= 2 ? [p, (p / 2) * 3] : [p])).sort((a, b) => b - a);

/** Most parameters one multi-row statement carries (both dialects take far more; the callers' old chunks carried up to 2,900). */
const MAX_STATEMENT_PARAMETERS = 4096;

/**
 * The statement sizes `n` rows are cut into: the largest size that fits (and is at most `maxRows`), again for the
 * rest (150 = 128 + 16 + 6).
 */
export const rowCountParts = (n: number, maxRows = Number.POSITIVE_INFINITY): number[] => {
  const parts: number[] = [];
  for (let rest = n; rest > 0; ) {
    const size = ROW_COUNTS.find((s) => s <= rest && s <= maxRows)!;
    parts.push(size);
    rest -= size;
  }
  return parts;
};

/**
 * A multi-row statement (an insert of many rows, an update from a VALUES list) whose shape depends only on how many
 * rows it carries: built and compiled once per dialect and row count, then run with each call's values. Kysely
 * parses every row and column of a multi-row insert into nodes and compiles them anew on each call, which cost
 * the pipeline more than SQLite took to run the statements. `build` receives the rows as markers (`width` per
 * row); each must reach the SQL as a parameter, once.
 *
 * The rows go in statements of a few fixed sizes (see rowCountParts), of at most MAX_STATEMENT_PARAMETERS values,
 * so callers pass whole batches: batches come in every size, and a plan (and on SQLite a prepared statement) per
 * size meant compiling again for most batches of a run (about 130 times per 20,000 messages, 0.2 s of the thread)
 * and a statement cache that could never hold them all. Each statement now has about twenty shapes at most.
 */
export const compiledRows = <R>(width: number, build: (db: Executor, rows: readonly (readonly unknown[])[]) => Compilable<R> | RawBuilder<R>) => {
  const planFor = plansByCount('compiledRows');
  const maxRows = Math.max(1, Math.floor(MAX_STATEMENT_PARAMETERS / width));
  return async (db: Executor, rows: readonly (readonly unknown[])[]): Promise<R[]> => {
    for (const row of rows) if (row.length !== width) throw new Error(`compiledRows: a row has ${row.length} values, not ${width}`);
    const out: R[] = [];
    let offset = 0;
    for (const count of rowCountParts(rows.length, maxRows)) {
      const part = rows.slice(offset, offset + count);
      offset += count;
      const plan = planFor(db, count * width, (markers) => {
        const built = build(db, part.map((_, i) => markers.slice(i * width, (i + 1) * width)));
        const compiled = 'isRawBuilder' in built ? built.compile(db) : built.compile();
        // A few sizes per statement: kept prepared on PostgreSQL (see statement-names.ts).
        nameStatement(compiled.sql);
        return compiled;
      });
      // Index loops: in this async function for…of allocated an iterator result per value (about 20 MB per 20,000
      // pipeline messages), which indexing does not.
      const values: unknown[] = new Array(count * width);
      for (let r = 0, k = 0; r < count; r += 1) {
        const row = part[r]!;
        for (let c = 0; c < width; c += 1) values[k++] = row[c];
      }
      const result = (await db.executeQuery<R>(queryOf(plan, values, true))).rows;
      for (let i = 0; i < result.length; i += 1) out.push(result[i]!);
    }
    return out;
  };
};

/**
 * A read whose shape depends only on how many values it is given (`where id in (…)`), compiled once per dialect
 * and count like compiledRows, returning each row as an array of the `columns` it selects, in that order (see
 * row-arrays.ts: the embedded store skips building an object per row).
 */
export const compiledArrayReads = (columns: readonly string[], build: (db: Executor, values: readonly unknown[]) => Compilable<unknown>) => {
  const planFor = plansByCount('compiledArrayReads');
  return async (db: Executor, values: readonly unknown[]): Promise<unknown[][]> => {
    if (values.length === 0) return [];
    const plan = planFor(db, values.length, (markers) => build(db, markers).compile());
    const { rows } = await db.executeQuery<unknown>(wantRowArrays(queryOf(plan, values)));
    return rows.map((row) => (Array.isArray(row) ? (row as unknown[]) : columns.map((column) => (row as Record<string, unknown>)[column])));
  };
};
