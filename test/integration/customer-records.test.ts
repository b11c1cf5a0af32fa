import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCrmCsv } from '../../src/server/cli/import.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';
import { admin, createChannel, createTestApp, createUser, envelope, parseEnvelopes, tokenFor, type TestApp } from '../support/test-app.js';

const pgAvailable = await isPostgresAvailable();

describe.each(dialects)('customer records: CRM import and notes on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  let supervisor: string;
  let agent: string;
  let x: string;
  let email: string;

  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect);
    x = (await createChannel(app, 'x')).id;
    email = (await createChannel(app, 'email', ['support@acme.test'])).id;
    supervisor = await tokenFor(app, (await createUser(app, 'supervisor')).id);
    agent = await tokenFor(app, (await createUser(app, 'agent')).id);
    await app.services.ingest(parseEnvelopes([
      envelope(x, { author: { platformId: 'x-100', handle: 'dana_k', displayName: 'Dana K' }, text: '@AcmeTelecom my bill doubled' }),
      envelope(x, { author: { platformId: 'x-200', handle: 'ravi', displayName: 'Ravi' }, text: '@AcmeTelecom no signal in Leeds', raw: { data: { text: '@AcmeTelecom no signal in Leeds' }, includes: { users: [{ id: 'x-200', location: 'Leeds' }] } } }),
      envelope(email, { kind: 'email', visibility: 'private', threadKey: 'crm-1', author: { platformId: 'Jo.Smith@Mail.test', displayName: 'Jo Smith', email: 'Jo.Smith@Mail.test' }, text: 'Router broken' }),
    ]));
    await app.worker.drain();
  });
  afterAll(async () => app?.dispose());

  const customerOf = async (platform: string, platformId: string) => (await app.repos.customers.findIdentities(platform, [platformId])).get(platformId)!.customerId;
  const csv = (body: string, query = '', token = supervisor) =>
    app.http.inject({ method: 'POST', url: `/api/v1/customers/import${query}`, payload: body, headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' } });

  it.skipIf(skip)("a customer data export carries the contact details their messages came with", async () => {
    const exported = await app.trust.dataRights.exportCustomer(await customerOf('email', 'Jo.Smith@Mail.test'), admin);
    expect(exported.messages).toEqual([expect.objectContaining({ text: 'Router broken', authorEmail: 'Jo.Smith@Mail.test', raw: null })]);
  });

  it.skipIf(skip)('matches rows by handle, email (any case) and customer id, writes the other columns as fields, and reports the rest', async () => {
    const dana = await customerOf('x', 'x-100');
    const jo = await customerOf('email', 'Jo.Smith@Mail.test');
    const ravi = await customerOf('x', 'x-200');
    const body = [
      'x_handle,email,customer_id,plan,account_no,"notes, free text"',
      '@dana_k,,,Fibre 900,AC-1001,"pays by card, ""prefers"" email"',
      ',JO.SMITH@mail.test,,SIM only,AC-1002,',
      `,,${ravi},Family,AC-1003,`,
      'nobody_here,,,Basic,AC-9999,',
      ',not-an-email,,Basic,AC-0000,',
    ].join('\n');
    const res = await csv(body);
    expect(res.statusCode, res.body).toBe(200);
    const summary = res.json();
    expect(summary).toMatchObject({ rows: 5, matched: 3, updated: 3, created: 0, unmatched: 1, invalid: 1, dryRun: false, fields: ['plan', 'account_no', 'notes, free text'] });
    expect(summary.problems).toEqual([{ row: 5, reason: 'matches no customer' }, { row: 6, reason: 'email: not an email address' }]);
    expect((await app.repos.customers.get(dana))!.fields).toEqual({ plan: 'Fibre 900', account_no: 'AC-1001', 'notes, free text': 'pays by card, "prefers" email' });
    expect((await app.repos.customers.get(jo))!.fields).toEqual({ plan: 'SIM only', account_no: 'AC-1002' });
    expect((await app.repos.customers.get(ravi))!.fields).toMatchObject({ plan: 'Family' });
    const audit = await app.store.db.selectFrom('audit_log').select(['action', 'data']).where('action', '=', 'customer.crm_import').execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.data)).toMatchObject({ rows: 5, updated: 3, fields: ['plan', 'account_no', 'notes, free text'] });
    // The audit records which columns changed, never their values.
    expect(audit[0]!.data).not.toContain('AC-1001');
  });

  it.skipIf(skip)('a dry run matches and counts but writes nothing; create-missing makes a customer for an unknown address', async () => {
    const dry = await csv('email,plan\nnew.person@mail.test,Gold\n', '?dryRun=true&createMissing=true');
    expect(dry.json()).toMatchObject({ rows: 1, created: 1, dryRun: true });
    expect(await app.store.db.selectFrom('identities').select('id').where('platform_id', '=', 'new.person@mail.test').execute()).toHaveLength(0);
    const real = await csv('email,plan\nnew.person@mail.test,Gold\n', '?createMissing=true');
    expect(real.json()).toMatchObject({ created: 1 });
    const created = await customerOf('email', 'new.person@mail.test');
    expect((await app.repos.customers.get(created))!.fields).toEqual({ plan: 'Gold' });
    // Importing again updates the same customer instead of creating another.
    expect((await csv('email,plan\nNew.Person@mail.test,Platinum\n', '?createMissing=true')).json()).toMatchObject({ matched: 1, created: 0 });
    expect((await app.repos.customers.get(created))!.fields).toEqual({ plan: 'Platinum' });
  });

  it.skipIf(skip)('finds customers by phone number in the given region', async () => {
    const id = await customerOf('x', 'x-100');
    await app.store.db.insertInto('identities').values({ id: 'phone-ident-1', platform: 'phone', platform_id: '+447911123456', handle: null, display_name: null, followers: 0, verified: 0, email: null, phone: '+447911123456', customer_id: id, created_at: Date.now(), updated_at: Date.now() }).execute();
    // An empty cell leaves the field alone.
    const res = await csv('phone,segment\n07911 123456,\n', '?region=GB');
    expect(res.json()).toMatchObject({ matched: 1, updated: 1 });
    expect((await app.repos.customers.get(id))!.fields).not.toHaveProperty('segment');
    const withValue = await csv('phone,segment\n07911 123456,SMB\n', '?region=GB');
    expect(withValue.json()).toMatchObject({ matched: 1 });
    expect((await app.repos.customers.get(id))!.fields).toMatchObject({ segment: 'SMB' });
    // Without a region a national number cannot be read: the row is invalid, with the reason.
    expect((await csv('phone,segment\n07911 123456,SMB\n')).json().problems[0].reason).toMatch(/region/);
  });

  it.skipIf(skip)('refuses a malformed file or a header without a key, writing nothing, with the field named', async () => {
    const before = await app.store.db.selectFrom('customers').select(['id', 'fields']).execute();
    // The broken quote is on the last line: the rows before it must not be written either.
    const broken = await csv('x_handle,plan\ndana_k,Changed\nravi,"unclosed\n');
    expect(broken.statusCode).toBe(400);
    expect(broken.headers['content-type']).toContain('application/problem+json');
    expect(broken.json().errors[0]).toMatchObject({ field: 'body' });
    expect(broken.json().detail).toMatch(/line 3/);
    const noKey = await csv('name,plan\nDana,Gold\n');
    expect(noKey.statusCode).toBe(400);
    expect(noKey.json().errors[0]).toMatchObject({ field: 'header' });
    const json = await app.http.inject({ method: 'POST', url: '/api/v1/customers/import', payload: { rows: [] }, headers: { authorization: `Bearer ${supervisor}` } });
    expect(json.statusCode).toBe(400);
    expect(json.json().errors[0]).toMatchObject({ field: 'content-type' });
    expect(await app.store.db.selectFrom('customers').select(['id', 'fields']).execute()).toEqual(before);
    // Agents may read and annotate customers but not bulk-import.
    expect((await csv('x_handle,plan\ndana_k,X\n', '', agent)).statusCode).toBe(403);
  });

  it.skipIf(skip)('the CLI imports a CSV file through the same service', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-crm-'));
    const file = path.join(dir, 'crm.csv');
    writeFileSync(file, 'x_handle,tier_note\nravi,renewal due\n');
    const summary = await importCrmCsv(app, file, {});
    expect(summary).toMatchObject({ rows: 1, updated: 1 });
    expect((await app.repos.customers.get(await customerOf('x', 'x-200')))!.fields).toMatchObject({ tier_note: 'renewal due' });
  });

  it.skipIf(skip)('keeps notes on a customer, newest first, audited', async () => {
    const id = await customerOf('x', 'x-100');
    const add = (body: unknown) => app.http.inject({ method: 'POST', url: `/api/v1/customers/${id}/notes`, payload: body as object, headers: { authorization: `Bearer ${agent}` } });
    expect((await add({ body: 'Called back, promised a credit' })).statusCode).toBe(201);
    expect((await add({ body: 'Credit approved' })).statusCode).toBe(201);
    const empty = await add({ body: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors[0]).toMatchObject({ field: 'body.body' });
    const list = await app.http.inject({ method: 'GET', url: `/api/v1/customers/${id}/notes`, headers: { authorization: `Bearer ${agent}` } });
    expect(list.json().items.map((n: { body: string }) => n.body)).toEqual(['Credit approved', 'Called back, promised a credit']);
    expect((await app.http.inject({ method: 'GET', url: '/api/v1/customers/nope/notes', headers: { authorization: `Bearer ${agent}` } })).statusCode).toBe(404);
    expect(await app.store.db.selectFrom('audit_log').select('id').where('action', '=', 'customer.note').execute()).toHaveLength(2);
  });

  it.skipIf(skip)('a customer data export carries their notes, and erasure removes them', async () => {
    const id = await customerOf('x', 'x-200');
    await app.services.customerRecords.addNote(id, 'Lives at 1 High St, call after 6pm', admin);
    const exported = await app.trust.dataRights.exportCustomer(id, admin);
    expect(exported.notes.map((n) => n.body)).toContain('Lives at 1 High St, call after 6pm');
    // The platform's payload is theirs too: the profile it carried (here a location) is in the copy they get.
    expect(exported.messages).toEqual([expect.objectContaining({ text: '@AcmeTelecom no signal in Leeds', authorEmail: null, attachments: [], raw: { data: { text: '@AcmeTelecom no signal in Leeds' }, includes: { users: [{ id: 'x-200', location: 'Leeds' }] } } })]);
    await app.trust.dataRights.erase(id, admin);
    expect(await app.repos.customerRecords.notesOf(id)).toEqual([]);
  });
});
