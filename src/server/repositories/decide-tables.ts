import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Executor } from './executor.js';

/** Tables of migration 0003-decide; times are epoch milliseconds, JSON is text. */
export interface SlaPoliciesTable {
  id: string;
  name: string;
  position: number;
  applies_to: string;
  definition: string;
  calendar: string;
  created_at: number;
  updated_at: number;
}

export interface SlaClocksTable {
  id: string;
  conversation_id: string;
  policy_id: string;
  metric: string;
  target_minutes: number;
  started_at: number;
  due_at: number | null;
  warn_at: number | null;
  pauses: string;
  paused_since: number | null;
  met_at: number | null;
  warned_at: number | null;
  breached_at: number | null;
  closed_at: number | null;
}

export interface RulesTable {
  id: string;
  name: string;
  position: number;
  definition: string;
  created_at: number;
  updated_at: number;
}

export interface RuleRunsTable {
  id: string;
  rule_id: string;
  event_type: string;
  conversation_id: string | null;
  message_id: string | null;
  actions: string;
  causation: string;
  at: number;
}

export interface MacrosTable {
  id: string;
  name: string;
  body: string;
  variants: string;
  created_at: number;
  updated_at: number;
}

export interface DecideDB extends DB {
  sla_policies: SlaPoliciesTable;
  sla_clocks: SlaClocksTable;
  rules: RulesTable;
  rule_runs: RuleRunsTable;
  macros: MacrosTable;
}

/** The shared schema type does not list these tables; a transaction is a Kysely too, so the view is safe. */
export const decideDb = (db: Executor): Kysely<DecideDB> => db as unknown as Kysely<DecideDB>;

export const toMs = (v: number | string | null): number | null => (v === null ? null : Number(v));
