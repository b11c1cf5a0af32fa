import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/server/platform/ids.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';

const pgAvailable = await isPostgresAvailable();

describe.each(dialects)('attachments repository on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect);
  });
  afterAll(async () => app?.dispose());

  const make = async (createdAt: number, bytes: Buffer = randomBytes(300)) => {
    const a = { id: newId(), uploadedBy: 'u1', filename: 'a.png', contentType: 'image/png', size: bytes.length, sha256: 'ab'.repeat(32), bytes, createdAt };
    await app.repos.attachments.create(a);
    return a;
  };

  it.skipIf(skip)('keeps the bytes exactly, NULs and high bytes included', async () => {
    const bytes = Buffer.concat([Buffer.from([0, 255, 0, 128, 10, 13]), randomBytes(70_000)]);
    const a = await make(1000, bytes);
    const got = await app.repos.attachments.get(a.id);
    expect(got).toMatchObject({ id: a.id, uploadedBy: 'u1', filename: 'a.png', contentType: 'image/png', size: bytes.length, outboxId: null, createdAt: 1000 });
    expect(Buffer.isBuffer(got!.bytes)).toBe(true);
    expect(got!.bytes.equals(bytes)).toBe(true);
    expect(await app.repos.attachments.get('nope')).toBeNull();
  });

  it.skipIf(skip)('reads many in the order asked, leaving unknown ids out', async () => {
    const [a, b] = [await make(1), await make(2)];
    expect((await app.repos.attachments.metaOf([b.id, 'nope', a.id])).map((m) => m.id)).toEqual([b.id, a.id]);
    const many = await app.repos.attachments.getMany([a.id, b.id]);
    expect(many.map((m) => m.bytes.equals(m.id === a.id ? a.bytes : b.bytes))).toEqual([true, true]);
    expect((await app.repos.attachments.metaOf([a.id]))[0]).not.toHaveProperty('bytes');
  });

  it.skipIf(skip)('marks files taken by a reply once, and purges only old files no reply took', async () => {
    const [used, fresh, stale] = [await make(10), await make(5_000), await make(20)];
    expect(await app.repos.attachments.markUsed([used.id], 'outbox-1')).toBe(1);
    expect(await app.repos.attachments.markUsed([used.id], 'outbox-2')).toBe(0);
    expect((await app.repos.attachments.get(used.id))!.outboxId).toBe('outbox-1');
    const purged = await app.repos.attachments.purgeUnused(1_000);
    expect(purged).toBeGreaterThanOrEqual(1);
    expect(await app.repos.attachments.get(stale.id)).toBeNull();
    expect(await app.repos.attachments.get(used.id)).not.toBeNull();
    expect(await app.repos.attachments.get(fresh.id)).not.toBeNull();
  });
});
