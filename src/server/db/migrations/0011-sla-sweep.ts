import type { Kysely } from 'kysely';

/**
 * Long clocks (resolution, a day or more) are not given a check job each: the scheduler sweeps the open ones whose
 * warning instant has passed, once a minute. This index keeps that sweep a range read of the clocks in warning.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.createIndex('sla_clocks_open_warn').on('sla_clocks').columns(['metric', 'closed_at', 'warn_at']).execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.dropIndex('sla_clocks_open_warn').ifExists().execute();
};
