import { sql, type Insertable, type RawBuilder } from 'kysely';
import type { CustomersTable, IdentitiesTable } from '../db/schema.js';
import type { Executor, ListsEvery } from './executor.js';
import { chunk, compiledRows, fromJson, rowOf } from './executor.js';

export interface Identity {
  id: string;
  platform: string;
  platformId: string;
  handle: string | null;
  displayName: string | null;
  followers: number;
  verified: boolean;
  email: string | null;
  phone: string | null;
  customerId: string;
}

export interface Customer {
  id: string;
  displayName: string | null;
  handle: string | null;
  followers: number;
  verified: boolean;
  tier: string;
  fields: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export interface IdentityFacts {
  platform: string;
  platformId: string;
  handle: string | null;
  displayName: string | null;
  followers: number;
  verified: boolean;
  email: string | null;
}

/** Reach tiers shown to agents, highest first, with the followers each starts at; priority caps what reach may add (the fairness guard). */
const REACH_TIERS: readonly (readonly [tier: string, from: number])[] = [['mega', 1_000_000], ['macro', 100_000], ['mid', 10_000], ['micro', 1_000]];

export const reachTier = (followers: number): string => REACH_TIERS.find(([, from]) => followers >= from)?.[0] ?? 'standard';

/** `reachTier` in SQL, over a follower-count expression. */
const reachTierSql = (followers: RawBuilder<unknown>) => sql`case ${sql.join(REACH_TIERS.map(([tier, from]) => sql`when ${followers} >= ${from} then ${tier}`), sql` `)} else 'standard' end`;

/** A new customer's columns; `merged_into` starts empty. */
const NEW_CUSTOMER_COLUMNS = ['id', 'display_name', 'handle', 'followers', 'verified', 'tier', 'fields', 'created_at', 'updated_at'] as const;
const everyCustomerColumn: ListsEvery<CustomersTable, (typeof NEW_CUSTOMER_COLUMNS)[number] | 'merged_into'> = true;
void everyCustomerColumn;
const IDENTITY_COLUMNS = ['id', 'platform', 'platform_id', 'handle', 'display_name', 'followers', 'verified', 'email', 'phone', 'customer_id', 'created_at', 'updated_at'] as const;
const everyIdentityColumn: ListsEvery<IdentitiesTable, (typeof IDENTITY_COLUMNS)[number]> = true;
void everyIdentityColumn;

/**
 * A batch's new authors in statements compiled once per size (see compiledRows): most authors of a busy stream are
 * new, and Kysely built and compiled each 200-row insert anew.
 */
const insertCustomerRows = compiledRows(NEW_CUSTOMER_COLUMNS.length, (db: Executor, rows) =>
  db.insertInto('customers').values(rows.map((r) => rowOf(NEW_CUSTOMER_COLUMNS, r) as Insertable<CustomersTable>)),
);
const insertIdentityRows = compiledRows(IDENTITY_COLUMNS.length, (db: Executor, rows) =>
  db.insertInto('identities').values(rows.map((r) => rowOf(IDENTITY_COLUMNS, r) as Insertable<IdentitiesTable>)),
);

export const createCustomersRepository = (db: Executor) => ({
  async findIdentities(platform: string, platformIds: readonly string[]): Promise<Map<string, Identity>> {
    const map = new Map<string, Identity>();
    for (const part of chunk(platformIds)) {
      const rows = await db.selectFrom('identities').selectAll().where('platform', '=', platform).where('platform_id', 'in', part).execute();
      for (const r of rows) {
        map.set(r.platform_id, {
          id: r.id,
          platform: r.platform,
          platformId: r.platform_id,
          handle: r.handle,
          displayName: r.display_name,
          followers: Number(r.followers),
          verified: r.verified === 1,
          email: r.email,
          phone: r.phone,
          customerId: r.customer_id,
        });
      }
    }
    return map;
  },

  /** A new customer with its first identity (identity by platform account, the strongest evidence there is). */
  async createWithIdentity(customerId: string, identityId: string, facts: IdentityFacts, now: number): Promise<Identity> {
    await db
      .insertInto('customers')
      .values({
        id: customerId,
        display_name: facts.displayName,
        handle: facts.handle,
        followers: facts.followers,
        verified: facts.verified ? 1 : 0,
        tier: reachTier(facts.followers),
        fields: '{}',
        created_at: now,
        updated_at: now,
      })
      .execute();
    await db
      .insertInto('identities')
      .values({
        id: identityId,
        platform: facts.platform,
        platform_id: facts.platformId,
        handle: facts.handle,
        display_name: facts.displayName,
        followers: facts.followers,
        verified: facts.verified ? 1 : 0,
        email: facts.email,
        phone: null,
        customer_id: customerId,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return { id: identityId, platform: facts.platform, platformId: facts.platformId, handle: facts.handle, displayName: facts.displayName, followers: facts.followers, verified: facts.verified, email: facts.email, phone: null, customerId };
  },

  /** The batch form of createWithIdentity: two multi-row inserts for a whole batch of new authors. */
  async createManyWithIdentities(list: readonly { customerId: string; identityId: string; facts: IdentityFacts }[], now: number): Promise<Identity[]> {
    // In NEW_CUSTOMER_COLUMNS' and IDENTITY_COLUMNS' orders.
    await insertCustomerRows(db, list.map(({ customerId, facts }) => [customerId, facts.displayName, facts.handle, facts.followers, facts.verified ? 1 : 0, reachTier(facts.followers), '{}', now, now]));
    await insertIdentityRows(db, list.map(({ customerId, identityId, facts }) => [identityId, facts.platform, facts.platformId, facts.handle, facts.displayName, facts.followers, facts.verified ? 1 : 0, facts.email, null, customerId, now, now]));
    return list.map(({ customerId, identityId, facts }) => ({ id: identityId, platform: facts.platform, platformId: facts.platformId, handle: facts.handle, displayName: facts.displayName, followers: facts.followers, verified: facts.verified, email: facts.email, phone: null, customerId }));
  },

  /**
   * Keeps profiles current (handles change, followers grow) from a batch, in one statement per table and chunk: each
   * identity gets the last facts given for it; each customer keeps the higher of its stored follower count and the
   * batch's, and the tier of that count. Unchanged identities are skipped.
   */
  async refreshIdentities(updates: readonly { identity: Identity; facts: IdentityFacts }[], now: number): Promise<void> {
    const latest = new Map<string, { identity: Identity; facts: IdentityFacts }>();
    const reach = new Map<string, number>();
    for (const u of updates) {
      const { identity, facts } = u;
      if (identity.handle === facts.handle && identity.displayName === facts.displayName && identity.followers === facts.followers && identity.verified === facts.verified) continue;
      latest.set(identity.id, u);
      reach.set(identity.customerId, Math.max(reach.get(identity.customerId) ?? 0, identity.followers, facts.followers));
    }
    for (const part of chunk([...latest.values()], 200)) {
      const rows = sql.join(part.map(({ identity, facts }) => sql`(${identity.id}, ${facts.handle}, ${facts.displayName}, cast(${facts.followers} as bigint), cast(${facts.verified ? 1 : 0} as integer))`));
      await sql`update identities set handle = v.column2, display_name = v.column3, followers = v.column4, verified = v.column5, updated_at = ${now}
        from (values ${rows}) as v where identities.id = v.column1`.execute(db);
    }
    // The tier follows the stored count, the highest any of the customer's identities has shown.
    const highest = sql`case when customers.followers < v.column2 then v.column2 else customers.followers end`;
    for (const part of chunk([...reach.entries()], 200)) {
      const rows = sql.join(part.map(([customerId, followers]) => sql`(${customerId}, cast(${followers} as bigint))`));
      await sql`update customers set followers = ${highest}, tier = ${reachTierSql(highest)}, updated_at = ${now}
        from (values ${rows}) as v where customers.id = v.column1`.execute(db);
    }
  },

  async get(id: string): Promise<Customer | null> {
    const r = await db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) return null;
    return { id: r.id, displayName: r.display_name, handle: r.handle, followers: Number(r.followers), verified: r.verified === 1, tier: r.tier, fields: fromJson(r.fields, {}), createdAt: Number(r.created_at), updatedAt: Number(r.updated_at) };
  },

  async identitiesOf(customerId: string): Promise<Identity[]> {
    const rows = await db.selectFrom('identities').selectAll().where('customer_id', '=', customerId).orderBy('created_at').execute();
    return rows.map((r) => ({ id: r.id, platform: r.platform, platformId: r.platform_id, handle: r.handle, displayName: r.display_name, followers: Number(r.followers), verified: r.verified === 1, email: r.email, phone: r.phone, customerId: r.customer_id }));
  },

  async list(cursor: string | null, limit: number, query?: string): Promise<Customer[]> {
    let q = db.selectFrom('customers').selectAll().where('merged_into', 'is', null).orderBy('id', 'desc').limit(limit);
    if (cursor) q = q.where('id', '<', cursor);
    if (query) q = q.where((eb) => eb.or([eb('handle', 'like', `%${query}%`), eb('display_name', 'like', `%${query}%`)]));
    const rows = await q.execute();
    return rows.map((r) => ({ id: r.id, displayName: r.display_name, handle: r.handle, followers: Number(r.followers), verified: r.verified === 1, tier: r.tier, fields: fromJson(r.fields, {}), createdAt: Number(r.created_at), updatedAt: Number(r.updated_at) }));
  },

  async updateFields(id: string, fields: Record<string, unknown>, now: number): Promise<void> {
    await db.updateTable('customers').set({ fields: JSON.stringify(fields), updated_at: now }).where('id', '=', id).execute();
  },
});

export type CustomersRepository = ReturnType<typeof createCustomersRepository>;
