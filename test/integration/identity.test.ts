import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, isPostgresAvailable } from '../support/stores.js';
import { createChannel, createTestApp, createUser, envelope, parseEnvelopes, tokenFor, type TestApp } from '../support/test-app.js';

const pgAvailable = await isPostgresAvailable();

describe.each(dialects)('identity graph and conversation corrections on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  let token: string;
  let x: string;
  let email: string;
  let facebook: string;

  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect);
    x = (await createChannel(app, 'x')).id;
    email = (await createChannel(app, 'email', ['support@acme.test'])).id;
    facebook = (await createChannel(app, 'facebook', ['page-1'])).id;
    await createUser(app, 'agent', { status: 'online', skills: ['lang:en'] });
    token = await tokenFor(app, (await createUser(app, 'agent')).id);
  });
  afterAll(async () => app?.dispose());

  const post = (url: string, payload: object = {}) => app.http.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${token}` } });
  const get = (url: string) => app.http.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  const customerOf = async (channelId: string, platformId: string): Promise<string> => {
    const platform = channelId === x ? 'x' : channelId === email ? 'email' : 'facebook';
    return (await app.repos.customers.findIdentities(platform, [platformId])).get(platformId)!.customerId;
  };

  it.skipIf(skip)('links identities carrying the same e-mail into one customer at once, audited and undoable', async () => {
    await app.services.ingest(parseEnvelopes([envelope(email, { kind: 'email', visibility: 'private', threadKey: 'm1', author: { platformId: 'maria.lopez@mail.test', displayName: 'Maria Lopez', email: 'maria.lopez@mail.test' }, text: 'My router has no signal' })]));
    await app.worker.drain();
    await app.services.ingest(parseEnvelopes([envelope(x, { author: { platformId: 'x-maria', handle: 'mlopez', displayName: 'M.', email: 'Maria.Lopez@Mail.test' }, text: '@AcmeTelecom emailed you about my router, no answer' })]));
    await app.worker.drain();
    const fromMail = await customerOf(email, 'maria.lopez@mail.test');
    const fromX = await customerOf(x, 'x-maria');
    expect(fromX).toBe(fromMail);
    const merges = await app.store.db.selectFrom('audit_log').select(['action', 'data']).where('action', '=', 'customer.merge').execute();
    expect(merges).toHaveLength(1);
    const mergeId = (JSON.parse(merges[0]!.data) as { mergeId: string }).mergeId;

    const undo = await post(`/api/v1/merges/${mergeId}/undo`);
    expect(undo.statusCode).toBe(200);
    expect(await customerOf(x, 'x-maria')).not.toBe(fromMail);
    const xConversations = await app.store.db.selectFrom('conversations').select('customer_id').where('channel_id', '=', x).where('customer_id', '=', fromMail).execute();
    expect(xConversations).toHaveLength(0);
    expect((await post(`/api/v1/merges/${mergeId}/undo`)).statusCode).toBe(409);
  });

  it.skipIf(skip)('turns the same display name with a similar handle on another platform into a suggestion, never a merge', async () => {
    await app.services.ingest(parseEnvelopes([envelope(x, { author: { platformId: 'x-jd', handle: 'jonas_dahl', displayName: 'Jonas Dahl' }, text: '@AcmeTelecom my bill doubled' })]));
    await app.worker.drain();
    await app.services.ingest(parseEnvelopes([envelope(facebook, { kind: 'comment', author: { platformId: 'fb-jd', handle: 'jonas.dahl', displayName: 'Jonas Dahl' }, text: 'Same here, my bill doubled' })]));
    await app.worker.drain();
    const a = await customerOf(x, 'x-jd');
    const b = await customerOf(facebook, 'fb-jd');
    expect(a).not.toBe(b);
    const list = (await get(`/api/v1/customers/${b}/suggestions`)).json() as { items: { id: string; reasons: string[]; status: string }[] };
    expect(list.items).toHaveLength(1);
    expect(list.items[0]!.reasons).toEqual(expect.arrayContaining(['same_display_name', 'similar_handles']));

    const accepted = await post(`/api/v1/merge-suggestions/${list.items[0]!.id}/accept`);
    expect(accepted.statusCode).toBe(200);
    expect(await customerOf(facebook, 'fb-jd')).toBe(await customerOf(x, 'x-jd'));
    expect((await post(`/api/v1/merge-suggestions/${list.items[0]!.id}/reject`)).statusCode).toBe(409);
    await post(`/api/v1/merges/${(accepted.json() as { id: string }).id}/undo`);
    expect(await customerOf(facebook, 'fb-jd')).not.toBe(await customerOf(x, 'x-jd'));
  });

  it.skipIf(skip)('merges two customers by hand and refuses merging one into itself or a merged one', async () => {
    await app.services.ingest(parseEnvelopes([
      envelope(x, { author: { platformId: 'x-p1', handle: 'pat1', displayName: 'Pat' }, text: 'hello' }),
      envelope(x, { author: { platformId: 'x-p2', handle: 'pat_two', displayName: 'Patricia' }, text: 'hello again' }),
    ]));
    await app.worker.drain();
    const one = await customerOf(x, 'x-p1');
    const two = await customerOf(x, 'x-p2');
    expect((await post(`/api/v1/customers/${one}/merge`, { otherCustomerId: one })).statusCode).toBe(400);
    const merged = await post(`/api/v1/customers/${one}/merge`, { otherCustomerId: two });
    expect(merged.json()).toMatchObject({ kind: 'customer', targetId: one, sourceId: two });
    expect(await customerOf(x, 'x-p2')).toBe(one);
    expect((await post(`/api/v1/customers/${one}/merge`, { otherCustomerId: two })).statusCode).toBe(409);
    expect((await post('/api/v1/customers/nope/merge', { otherCustomerId: two })).statusCode).toBe(404);
  });
  it.skipIf(skip)('keeps known authors up to date from a batch: each identity takes its latest facts, its customer the highest reach', async () => {
    await app.services.ingest(parseEnvelopes([
      envelope(x, { author: { platformId: 'x-ro', handle: 'ro_old', displayName: 'Ro', followers: 120 }, text: '@AcmeTelecom first' }),
      envelope(x, { author: { platformId: 'x-pa', handle: 'pa', displayName: 'Pa', followers: 5 }, text: '@AcmeTelecom hello' }),
    ]));
    await app.worker.drain();
    // One batch: Ro's account grows twice and is renamed; Pa's is unchanged.
    await app.services.ingest(parseEnvelopes([
      envelope(x, { author: { platformId: 'x-ro', handle: 'ro_new', displayName: 'Ro B', followers: 250_000 }, text: '@AcmeTelecom second' }),
      envelope(x, { author: { platformId: 'x-pa', handle: 'pa', displayName: 'Pa', followers: 5 }, text: '@AcmeTelecom again' }),
      envelope(x, { author: { platformId: 'x-ro', handle: 'ro_new', displayName: 'Ro B', followers: 1_200_000, verified: true }, text: '@AcmeTelecom third' }),
    ]));
    await app.worker.drain();
    const ro = (await app.repos.customers.findIdentities('x', ['x-ro'])).get('x-ro')!;
    expect(ro).toMatchObject({ handle: 'ro_new', displayName: 'Ro B', followers: 1_200_000, verified: true });
    expect(await app.repos.customers.get(ro.customerId)).toMatchObject({ followers: 1_200_000, tier: 'mega' });

    // A customer's smaller identity (their e-mail, linked to their big X account) posting again keeps the customer's tier.
    await app.services.ingest(parseEnvelopes([envelope(x, { author: { platformId: 'x-big', handle: 'bigco', displayName: 'Big Co', followers: 2_000_000, email: 'owner@big.test' }, text: '@AcmeTelecom outage at HQ' })]));
    await app.worker.drain();
    const mail = (platformId: string, displayName: string) => envelope(email, { kind: 'email', visibility: 'private', threadKey: `big-${displayName}`, author: { platformId, displayName, email: platformId }, text: 'Following up by mail' });
    await app.services.ingest(parseEnvelopes([mail('owner@big.test', 'Owner')]));
    await app.worker.drain();
    const big = await customerOf(x, 'x-big');
    expect(await customerOf(email, 'owner@big.test')).toBe(big);
    await app.services.ingest(parseEnvelopes([mail('owner@big.test', 'Owner at Big Co')]));
    await app.worker.drain();
    expect((await app.repos.customers.findIdentities('email', ['owner@big.test'])).get('owner@big.test')).toMatchObject({ displayName: 'Owner at Big Co' });
    expect(await app.repos.customers.get(big)).toMatchObject({ followers: 2_000_000, tier: 'mega' });

    // Reach does not drop with a later, smaller count (an account that lost followers, a smaller linked identity).
    await app.services.ingest(parseEnvelopes([envelope(x, { author: { platformId: 'x-ro', handle: 'ro_new', displayName: 'Ro B', followers: 300, verified: true }, text: '@AcmeTelecom fourth' })]));
    await app.worker.drain();
    expect((await app.repos.customers.findIdentities('x', ['x-ro'])).get('x-ro')).toMatchObject({ followers: 300 });
    expect(await app.repos.customers.get(ro.customerId)).toMatchObject({ followers: 1_200_000, tier: 'mega' });
    const pa = (await app.repos.customers.findIdentities('x', ['x-pa'])).get('x-pa')!;
    expect(await app.repos.customers.get(pa.customerId)).toMatchObject({ followers: 5, tier: 'standard' });
  });

  it.skipIf(skip)('suggests same-name customers for new identities met in one batch, each against the others', async () => {
    await app.services.ingest(parseEnvelopes([
      envelope(x, { author: { platformId: 'x-ik', handle: 'ines_k', displayName: 'Ines Kowal' }, text: '@AcmeTelecom no signal' }),
      envelope(facebook, { kind: 'comment', author: { platformId: 'fb-ik', handle: 'ines.k', displayName: 'Ines Kowal' }, text: 'no signal here either' }),
    ]));
    await app.worker.drain();
    const a = await customerOf(x, 'x-ik');
    const b = await customerOf(facebook, 'fb-ik');
    expect(a).not.toBe(b);
    const list = (await get(`/api/v1/customers/${b}/suggestions`)).json() as { items: { reasons: string[] }[] };
    expect(list.items).toHaveLength(1);
    expect(list.items[0]!.reasons).toEqual(expect.arrayContaining(['same_display_name', 'similar_handles']));
  });
});
