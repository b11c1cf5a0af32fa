import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, isPostgresAvailable } from '../support/stores.js';
import { admin, createChannel, createTestApp, createUser, tokenFor, type TestApp } from '../support/test-app.js';

const pgAvailable = await isPostgresAvailable();

describe.each(dialects)('audit log on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  let adminToken: string;

  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect);
    adminToken = await tokenFor(app, (await createUser(app, 'admin')).id);
    for (let i = 0; i < 5; i += 1) await createChannel(app, 'x', [`own${i}`]);
  });
  afterAll(async () => app?.dispose());

  it.skipIf(skip)('verifies an intact chain, pages it newest first, and audits its own export', async () => {
    const verdict = await app.trust.audit.verify();
    expect(verdict.ok).toBe(true);
    const total = verdict.count;
    expect(total).toBeGreaterThanOrEqual(7);

    const seen: number[] = [];
    let before: number | null = null;
    do {
      const url: string = `/api/v1/audit?limit=3${before ? `&before=${before}` : ''}`;
      const res = await app.http.inject({ method: 'GET', url, headers: { authorization: `Bearer ${adminToken}` } });
      expect(res.statusCode).toBe(200);
      const body: { items: { seq: number }[]; nextBefore: number | null } = res.json();
      seen.push(...body.items.map((e) => e.seq));
      before = body.nextBefore;
    } while (before !== null);
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => total - i));

    const exported = [];
    for await (const e of app.trust.audit.export(admin)) exported.push(e);
    expect(exported.at(-1)?.action).toBe('audit.export');
    expect(exported).toHaveLength(total + 1);
    expect((await app.trust.audit.verify()).ok).toBe(true);
  });

  it.skipIf(skip)('finds an edited row, a deleted row and a truncated tail', async () => {
    const db = app.store.db;
    const original = await db.selectFrom('audit_log').select(['seq', 'data']).where('seq', '=', 3).executeTakeFirstOrThrow();
    await sql`update audit_log set data = ${'{"forged":true}'} where seq = 3`.execute(db);
    expect(await app.trust.audit.verify()).toMatchObject({ ok: false, brokenAt: 3, problem: 'hash_mismatch', count: 2 });
    const res = await app.http.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: { authorization: `Bearer ${adminToken}` } });
    expect(res.json()).toMatchObject({ ok: false, brokenAt: 3 });
    await sql`update audit_log set data = ${original.data} where seq = 3`.execute(db);
    expect((await app.trust.audit.verify()).ok).toBe(true);

    const row4 = await db.selectFrom('audit_log').selectAll().where('seq', '=', 4).executeTakeFirstOrThrow();
    await sql`delete from audit_log where seq = 4`.execute(db);
    expect(await app.trust.audit.verify()).toMatchObject({ ok: false, brokenAt: 4, problem: 'gap' });
    await db.insertInto('audit_log').values(row4).execute();
    expect((await app.trust.audit.verify()).ok).toBe(true);

    const head = await app.repos.audit.head();
    await sql`delete from audit_log where seq = ${head.seq}`.execute(db);
    expect(await app.trust.audit.verify()).toMatchObject({ ok: false, problem: 'head_mismatch' });
  });

  it.skipIf(skip)('is for admins only', async () => {
    const agentToken = await tokenFor(app, (await createUser(app, 'agent')).id);
    const res = await app.http.inject({ method: 'GET', url: '/api/v1/audit', headers: { authorization: `Bearer ${agentToken}` } });
    expect(res.statusCode).toBe(403);
  });
});
