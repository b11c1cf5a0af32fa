import type { Kysely } from 'kysely';

/**
 * Decide stage state: SLA policies and the clocks they start (one row per clock, kept after it is met so
 * attainment can be reported), automation rules and a log of what they did, and macros.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  const s = db.schema;
  await s.createTable('sla_policies').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('applies_to', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('calendar', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await s.createTable('sla_clocks').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('target_minutes', 'double precision', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('due_at', 'bigint')
    .addColumn('warn_at', 'bigint')
    .addColumn('pauses', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('paused_since', 'bigint')
    .addColumn('met_at', 'bigint')
    .addColumn('warned_at', 'bigint')
    .addColumn('breached_at', 'bigint')
    .addColumn('closed_at', 'bigint')
    .execute();
  await s.createIndex('sla_clocks_conversation').on('sla_clocks').columns(['conversation_id', 'closed_at']).execute();
  await s.createIndex('sla_clocks_policy').on('sla_clocks').columns(['policy_id', 'started_at']).execute();

  await s.createTable('rules').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await s.createTable('rule_runs').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text')
    .addColumn('message_id', 'text')
    .addColumn('actions', 'text', (c) => c.notNull())
    .addColumn('causation', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex('rule_runs_conversation').on('rule_runs').columns(['conversation_id', 'at']).execute();
  await s.createIndex('rule_runs_rule').on('rule_runs').columns(['rule_id', 'at']).execute();

  await s.createTable('macros').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('variants', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  for (const table of ['macros', 'rule_runs', 'rules', 'sla_clocks', 'sla_policies']) await db.schema.dropTable(table).ifExists().execute();
};
