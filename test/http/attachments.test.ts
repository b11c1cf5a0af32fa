import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, tokenFor, type TestApp } from '../support/test-app.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';
import { gif, jpeg, mp4, multipartBody, pdf, png, webp } from '../support/media-files.js';

const pgAvailable = await isPostgresAvailable();

describe.each(dialects)('attachments API on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  let agent: string;
  let analyst: string;
  let approver: string;

  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect, {}, { PARLEY_ATTACHMENT_MAX_BYTES: '4096' });
    agent = await tokenFor(app, (await createUser(app, 'agent')).id);
    analyst = await tokenFor(app, (await createUser(app, 'analyst')).id);
    approver = await tokenFor(app, (await createUser(app, 'approver')).id);
    await app.http.ready();
  });
  afterAll(async () => app?.dispose());

  const stored = async (): Promise<number> => Number((await sql<{ n: number | string }>`select count(*) as n from attachments`.execute(app.store.db)).rows[0]!.n);

  const upload = (parts: Parameters<typeof multipartBody>[0], token = agent) => {
    const { payload, contentType } = multipartBody(parts);
    return app.http.inject({ method: 'POST', url: '/api/v1/attachments', payload, headers: { authorization: `Bearer ${token}`, 'content-type': contentType } });
  };

  const expectProblem = (res: Awaited<ReturnType<typeof upload>>, status: number) => {
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().errors).toEqual([expect.objectContaining({ field: 'file' })]);
  };

  it.skipIf(skip)('stores each allowed type, decided by the bytes, and serves it back as a download', async () => {
    for (const [name, bytes, type] of [['shot.png', png(), 'image/png'], ['p.jpg', jpeg(), 'image/jpeg'], ['a.gif', gif(), 'image/gif'], ['w.webp', webp(), 'image/webp'], ['clip.mp4', mp4(), 'video/mp4'], ['bill.pdf', pdf(), 'application/pdf']] as const) {
      const res = await upload([{ name: 'file', filename: name, contentType: type, data: bytes }]);
      expect(res.statusCode, res.body).toBe(201);
      const body = res.json();
      expect(body).toEqual({ id: expect.any(String), filename: name, contentType: type, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
      const got = await app.http.inject({ method: 'GET', url: `/api/v1/attachments/${body.id}`, headers: { authorization: `Bearer ${analyst}` } });
      expect(got.statusCode).toBe(200);
      expect(got.headers['content-type']).toBe(type);
      expect(got.headers['content-disposition']).toBe(`attachment; filename="${name}"; filename*=UTF-8''${name}`);
      expect(got.headers['x-content-type-options']).toBe('nosniff');
      expect(got.rawPayload.equals(bytes)).toBe(true);
    }
  });

  it.skipIf(skip)('takes an undeclared type from the bytes and sanitises the name', async () => {
    const res = await upload([{ name: 'file', filename: 'C:\\Users\\me\\bad<name>:\u0007 x .jpg', contentType: 'application/octet-stream', data: jpeg() }]);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ contentType: 'image/jpeg', filename: 'bad_name__ x.jpg' });
    const dotfile = await upload([{ name: 'file', filename: '...', data: png() }]);
    expect(dotfile.json()).toMatchObject({ contentType: 'image/png', filename: 'attachment.png' });
  });

  it.skipIf(skip)('refuses bad input with problem+json naming file, and stores nothing', async () => {
    const before = await stored();
    // Declared type and content disagree.
    expectProblem(await upload([{ name: 'file', filename: 'x.png', contentType: 'image/png', data: jpeg() }]), 415);
    // The name says PNG, the bytes say JPEG.
    expectProblem(await upload([{ name: 'file', filename: 'x.png', contentType: 'application/octet-stream', data: jpeg() }]), 415);
    // A script renamed to an image.
    expectProblem(await upload([{ name: 'file', filename: 'x.jpg', contentType: 'image/jpeg', data: '<script>alert(1)</script>' }]), 415);
    // A type the bytes give away but the allow-list refuses (a ZIP).
    expectProblem(await upload([{ name: 'file', filename: 'a.zip', data: Buffer.concat([Buffer.from('504b0304', 'hex'), Buffer.alloc(60)]) }]), 415);
    expectProblem(await upload([{ name: 'file', filename: 'empty.png', contentType: 'image/png', data: Buffer.alloc(0) }]), 400);
    const tooLarge = await upload([{ name: 'file', filename: 'big.png', contentType: 'image/png', data: png(5000) }]);
    expectProblem(tooLarge, 413);
    expect(tooLarge.json().maxBytes).toBe(4096);
    expectProblem(await upload([{ name: 'note', data: 'hello' }]), 400);
    expectProblem(await upload([{ name: 'upload', filename: 'a.png', contentType: 'image/png', data: png() }]), 400);
    expectProblem(await upload([{ name: 'file', filename: 'a.png', contentType: 'image/png', data: png() }, { name: 'file', filename: 'b.png', contentType: 'image/png', data: png() }]), 400);
    expectProblem(await upload([{ name: 'file', filename: 'a.png', data: png() }, { name: 'file', filename: 'b.png', data: png() }, { name: 'file', filename: 'c.png', data: png() }]), 400);
    const json = await app.http.inject({ method: 'POST', url: '/api/v1/attachments', payload: { file: 'x' }, headers: { authorization: `Bearer ${agent}` } });
    expectProblem(json, 415);
    expect(await stored()).toBe(before);
  });

  it.skipIf(skip)('keeps the JSON body parser and its limit for other routes', async () => {
    const res = await app.http.inject({ method: 'POST', url: '/api/v1/conversations/nope/reply', payload: { text: 'hi' }, headers: { authorization: `Bearer ${agent}` } });
    expect(res.statusCode).toBe(404);
    const { payload, contentType } = multipartBody([{ name: 'text', data: 'hi' }]);
    const multipart = await app.http.inject({ method: 'POST', url: '/api/v1/conversations/nope/reply', payload, headers: { authorization: `Bearer ${agent}`, 'content-type': contentType } });
    expect(multipart.statusCode).toBe(415);
  });

  it.skipIf(skip)('needs the reply permission to upload and the read permission to download', async () => {
    const denied = await upload([{ name: 'file', filename: 'a.png', contentType: 'image/png', data: png() }], analyst);
    expect(denied.statusCode).toBe(403);
    const ok = await upload([{ name: 'file', filename: 'a.png', contentType: 'image/png', data: png() }]);
    const id = ok.json().id as string;
    const noRead = await app.http.inject({ method: 'GET', url: `/api/v1/attachments/${id}`, headers: { authorization: `Bearer ${approver}` } });
    expect(noRead.statusCode).toBe(403);
    const anonymous = await app.http.inject({ method: 'GET', url: `/api/v1/attachments/${id}` });
    expect(anonymous.statusCode).toBe(401);
    const missing = await app.http.inject({ method: 'GET', url: '/api/v1/attachments/nope', headers: { authorization: `Bearer ${agent}` } });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
  });
});

describe('attachments API with the default size cap', () => {
  let app: TestApp;
  let agent: string;
  beforeAll(async () => {
    app = await createTestApp('sqlite');
    agent = await tokenFor(app, (await createUser(app, 'agent')).id);
  });
  afterAll(async () => app.dispose());

  it('takes files far above the JSON body limit (1 MB) up to 25 MB, and refuses one byte more', async () => {
    const post = (data: Buffer) => {
      const { payload, contentType } = multipartBody([{ name: 'file', filename: 'big.png', contentType: 'image/png', data }]);
      return app.http.inject({ method: 'POST', url: '/api/v1/attachments', payload, headers: { authorization: `Bearer ${agent}`, 'content-type': contentType } });
    };
    const exact = await post(png(25 * 1024 * 1024));
    expect(exact.statusCode, exact.body).toBe(201);
    expect(exact.json().size).toBe(25 * 1024 * 1024);
    const over = await post(png(25 * 1024 * 1024 + 1));
    expect(over.statusCode).toBe(413);
    expect(over.json()).toMatchObject({ code: 'payload_too_large', errors: [{ field: 'file' }] });
  });
});
