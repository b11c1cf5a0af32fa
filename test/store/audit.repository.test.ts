import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditHash, createAuditRepository, type AuditEntry } from '../../src/server/repositories/audit.repository.js';
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

describe.each(dialects)('audit log appends on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect);
  });
  afterAll(async () => app?.dispose());

  it.skipIf(skip)('stores a batch as the chain the entries make one by one: every column, in order, across statement sizes', async () => {
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
});
