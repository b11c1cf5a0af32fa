import type { Kysely, Transaction } from 'kysely';
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
