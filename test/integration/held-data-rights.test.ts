import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, isPostgresAvailable } from '../support/stores.js';
import { admin, createChannel, createTestApp, envelope, parseEnvelopes, type TestApp } from '../support/test-app.js';

const pgAvailable = await isPostgresAvailable();
const dayMs = 86_400_000;

// A paused channel keeps deliveries raw (channel_held_events); erasure and retention must reach them too.
describe.each(dialects)('held deliveries and data rights on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  let x: string;
  let mail: string;

  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect);
    x = (await createChannel(app, 'x')).id;
    mail = (await createChannel(app, 'email')).id;
  });
  afterAll(async () => {
    await app?.dispose();
  });

  const held = async (channelId: string) =>
    (await app.repos.channels.listHeld(channelId, 100)).map((h) => ({ id: h.id, texts: (h.envelopes as { text: string }[]).map((e) => e.text), deletions: h.deletions.length }));

  it.skipIf(skip)("erasing a customer removes their words from held deliveries and keeps everyone else's", async () => {
    const author = { platformId: 'cust_%1', handle: 'dana', displayName: 'Dana' };
    await app.services.ingest(parseEnvelopes([envelope(x, { author, text: 'first, ingested before the pause' })]));
    await app.worker.drain();
    const customerId = (await app.store.db.selectFrom('identities').select('customer_id').where('platform', '=', 'x').where('platform_id', '=', 'cust_%1').executeTakeFirstOrThrow()).customer_id;

    await app.services.channels.setStatus(x, 'paused', admin);
    const mine = parseEnvelopes([envelope(x, { author, text: 'my account number is 12345678' })]);
    const mixed = parseEnvelopes([envelope(x, { author, text: 'and my address is 1 Main St' }), envelope(x, { author: { platformId: 'cust_a1', handle: 'other' }, text: 'someone else entirely' })]);
    // A look-alike id ('_' and '%' are LIKE wildcards) and the same id on another platform are other people.
    const lookalike = parseEnvelopes([envelope(x, { author: { platformId: 'cust_x1', handle: 'x' }, text: 'look-alike id' })]);
    const otherPlatform = parseEnvelopes([envelope(mail, { author: { platformId: 'cust_%1', handle: 'dana' }, text: 'same id, different platform' })]);
    const now = Date.now();
    await app.repos.channels.hold({ id: 'h1', channelId: x, envelopes: mine, deletions: [], now });
    await app.repos.channels.hold({ id: 'h2', channelId: x, envelopes: mixed, deletions: [], now: now + 1 });
    await app.repos.channels.hold({ id: 'h3', channelId: x, envelopes: lookalike, deletions: [], now: now + 2 });
    await app.repos.channels.hold({ id: 'h4', channelId: mail, envelopes: otherPlatform, deletions: [], now });
    await app.repos.channels.hold({ id: 'h5', channelId: x, envelopes: mine, deletions: [{ externalId: 'gone-1' }], now: now + 3 });

    // Their copy of what Parley holds includes what the paused channel keeps for them, and only theirs.
    const exported = await app.trust.dataRights.exportCustomer(customerId, admin);
    expect(exported.held.map((h) => ({ channelId: h.channelId, texts: (h.envelopes as { text: string }[]).map((e) => e.text) }))).toEqual([
      { channelId: x, texts: ['my account number is 12345678'] },
      { channelId: x, texts: ['and my address is 1 Main St'] },
      { channelId: x, texts: ['my account number is 12345678'] },
    ]);
    expect(exported.held[0]!.receivedAt).toBe(new Date(now).toISOString());

    await app.trust.dataRights.erase(customerId, admin);

    expect(await held(x)).toEqual([
      { id: 'h2', texts: ['someone else entirely'], deletions: 0 },
      { id: 'h3', texts: ['look-alike id'], deletions: 0 },
      { id: 'h5', texts: [], deletions: 1 },
    ]);
    expect(await held(mail)).toEqual([{ id: 'h4', texts: ['same id, different platform'], deletions: 0 }]);
    const audit = (await app.trust.audit.list({ limit: 20 })).items.find((e) => e.action === 'customer.erase');
    expect(audit?.data).toMatchObject({ heldMessages: 3 });
    expect((await app.trust.dataRights.exportCustomer(customerId, admin)).held).toEqual([]);
    await app.services.channels.setStatus(x, 'active', admin);
  });

  it.skipIf(skip)('a customer with two accounts on one platform (merged) has both accounts\' envelopes exported and erased from one delivery', async () => {
    const first = { platformId: 'two_a', handle: 'two_a' };
    const second = { platformId: 'two_b', handle: 'two_b' };
    await app.services.ingest(parseEnvelopes([envelope(x, { author: first, text: 'from the first account' }), envelope(x, { author: second, text: 'from the second account' })]));
    await app.worker.drain();
    const customerOf = async (platformId: string) => (await app.store.db.selectFrom('identities').select('customer_id').where('platform', '=', 'x').where('platform_id', '=', platformId).executeTakeFirstOrThrow()).customer_id;
    const target = await customerOf('two_a');
    await app.repos.identityLinks.mergeCustomers(await customerOf('two_b'), target, Date.now());

    await app.services.channels.setStatus(x, 'paused', admin);
    const both = parseEnvelopes([envelope(x, { author: first, text: 'held from a' }), envelope(x, { author: { platformId: 'bystander' }, text: 'held from someone else' }), envelope(x, { author: second, text: 'held from b' })]);
    await app.repos.channels.hold({ id: 'both', channelId: x, envelopes: both, deletions: [], now: Date.now() });
    const exported = await app.trust.dataRights.exportCustomer(target, admin);
    expect(exported.held.map((h) => (h.envelopes as { text: string }[]).map((e) => e.text).sort())).toEqual([['held from a', 'held from b']]);

    await app.trust.dataRights.erase(target, admin);
    expect((await held(x)).find((h) => h.id === 'both')).toEqual({ id: 'both', texts: ['held from someone else'], deletions: 0 });
    await app.services.channels.setStatus(x, 'active', admin);
  });

  it.skipIf(skip)('a retention purge deletes held deliveries older than the channel keeps text', async () => {
    await app.trust.dataRights.setRetention(mail, 30, admin);
    const now = Date.now();
    await app.repos.channels.hold({ id: 'old', channelId: mail, envelopes: parseEnvelopes([envelope(mail, { text: 'old held words' })]), deletions: [], now: now - 40 * dayMs });
    await app.repos.channels.hold({ id: 'new', channelId: mail, envelopes: parseEnvelopes([envelope(mail, { text: 'recent held words' })]), deletions: [], now: now - 2 * dayMs });
    const before = (await held(mail)).map((h) => h.id);
    await app.trust.dataRights.purge(admin);
    const after = (await held(mail)).map((h) => h.id);
    expect(before).toContain('old');
    expect(after).not.toContain('old');
    expect(after).toContain('new');
    // Channels without a policy keep what they hold.
    expect((await held(x)).map((h) => h.id)).toEqual(['h2', 'h3', 'h5', 'both']);
    const audit = (await app.trust.audit.list({ limit: 20 })).items.find((e) => e.action === 'retention.purge');
    expect(audit?.data).toMatchObject({ heldDeliveries: 1 });
  });
});
