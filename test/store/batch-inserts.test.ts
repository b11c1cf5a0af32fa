import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditHash, createAuditRepository, type AuditEntry } from '../../src/server/repositories/audit.repository.js';
import { reachTier, type IdentityFacts } from '../../src/server/repositories/customers.repository.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';

const pgAvailable = await isPostgresAvailable();

const entry = (i: number): AuditEntry => ({
  id: `audit-${String(i).padStart(4, '0')}`,
  at: 1_700_000_000_000 + i,
  actorId: i % 3 === 0 ? null : `user-${i % 7}`,
  actorRole: i % 3 === 0 ? null : 'agent',
  action: i % 2 === 0 ? 'conversation.assign' : 'conversation.priority',
  targetType: i % 5 === 0 ? null : 'conversation',
  targetId: i % 5 === 0 ? null : `conv-${i}`,
  data: { n: i, why: `reason ${i} — naïve “quotes”`, nested: { list: [i, null, true] }, empty: i % 4 === 0 ? {} : null },
});

/** The pipeline's batch inserts that go in statements compiled once per size (compiledRows), stored as the rows they were before. */
describe.each(dialects)('pipeline batch inserts on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect);
  });
  afterAll(async () => app?.dispose());

  it.skipIf(skip)('audit: stores a batch as the chain the entries make one by one: every column, in order, across statement sizes', async () => {
    const before = await app.repos.audit.head();
    // 150 entries go in statements of 128, 16 and 6 rows; a single append and a batch of one follow, and an empty batch.
    const entries = Array.from({ length: 152 }, (_, i) => entry(i + 1));
    await app.store.db.transaction().execute(async (trx) => {
      const audit = createAuditRepository(trx, { skipLocked: dialect === 'postgres' });
      await audit.appendMany(entries.slice(0, 150));
      await audit.append(entries[150]!);
      await audit.appendMany([entries[151]!]);
      await audit.appendMany([]);
    });

    const expected: Record<string, unknown>[] = [];
    let prev = before.hash;
    entries.forEach((e, i) => {
      const seq = before.seq + i + 1;
      const hash = auditHash(prev, seq, e);
      expected.push({ seq, id: e.id, at: e.at, actor_id: e.actorId, actor_role: e.actorRole, action: e.action, target_type: e.targetType, target_id: e.targetId, data: e.data, prev_hash: prev, hash });
      prev = hash;
    });
    const rows = await app.store.db.selectFrom('audit_log').selectAll().where('seq', '>', before.seq).orderBy('seq').execute();
    expect(rows.map((r) => ({ ...r, seq: Number(r.seq), at: Number(r.at), data: JSON.parse(r.data) as unknown }))).toEqual(expected);
    expect(await app.repos.audit.head()).toEqual({ seq: before.seq + entries.length, hash: prev });
    expect((await app.trust.audit.verify()).ok).toBe(true);
  });

  it.skipIf(skip)('new authors: stores each as a customer and its identity, every column, across statement sizes, as findIdentities reads them back', async () => {
    const now = 1_700_000_000_000;
    // 150 authors go in statements of 128, 16 and 6 rows; some facts empty, followers across every reach tier.
    const list = Array.from({ length: 150 }, (_, i) => {
      const facts: IdentityFacts = {
        platform: 'x',
        platformId: `new-author-${i}`,
        handle: i % 4 === 0 ? null : `handle${i}`,
        displayName: i % 5 === 0 ? null : `Author “${i}” naïve`,
        followers: [0, 999, 1_000, 25_000, 100_000, 3_000_000][i % 6]!,
        verified: i % 7 === 0,
        email: i % 3 === 0 ? `a${i}@example.test` : null,
      };
      return { customerId: `cust-new-${String(i).padStart(3, '0')}`, identityId: `ident-new-${String(i).padStart(3, '0')}`, facts };
    });
    const returned = await app.repos.customers.createManyWithIdentities(list, now);

    const customers = await app.store.db.selectFrom('customers').selectAll().where('id', 'like', 'cust-new-%').orderBy('id').execute();
    expect(customers.map((c) => ({ ...c, followers: Number(c.followers), verified: Number(c.verified), created_at: Number(c.created_at), updated_at: Number(c.updated_at) }))).toEqual(
      list.map(({ customerId, facts }) => ({ id: customerId, display_name: facts.displayName, handle: facts.handle, followers: facts.followers, verified: facts.verified ? 1 : 0, tier: reachTier(facts.followers), fields: '{}', created_at: now, updated_at: now, merged_into: null })),
    );
    const identities = await app.store.db.selectFrom('identities').selectAll().where('id', 'like', 'ident-new-%').orderBy('id').execute();
    expect(identities.map((r) => ({ ...r, followers: Number(r.followers), verified: Number(r.verified), created_at: Number(r.created_at), updated_at: Number(r.updated_at) }))).toEqual(
      list.map(({ customerId, identityId, facts }) => ({ id: identityId, platform: 'x', platform_id: facts.platformId, handle: facts.handle, display_name: facts.displayName, followers: facts.followers, verified: facts.verified ? 1 : 0, email: facts.email, phone: null, customer_id: customerId, created_at: now, updated_at: now })),
    );
    const found = await app.repos.customers.findIdentities('x', list.map((a) => a.facts.platformId));
    expect(returned).toEqual(list.map(({ facts }) => found.get(facts.platformId)));
  });
});
