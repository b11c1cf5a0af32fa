import { afterEach, describe, expect, it } from 'vitest';
import { createXClient } from './client.js';
import { fakeBrand, fakeCustomer, fakeXId } from './fake-payloads.js';
import { startXFakeServer } from './fake-server.js';
import type { XFakeServer } from './fake-server.js';
import { pollX } from './poll.js';

let fake: XFakeServer | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

describe('pollX', () => {
  it('pages through mentions and DMs, returns them oldest first and resumes without repeats', async () => {
    fake = await startXFakeServer();
    const user = { id: fakeCustomer.id, username: fakeCustomer.username, name: fakeCustomer.name, public_metrics: { followers_count: 5 } };
    const ids = Array.from({ length: 5 }, () => fakeXId());
    for (const id of ids.slice(0, 3)) fake.mentions.push({ tweet: { id, text: `@acme mention ${id}`, author_id: fakeCustomer.id }, user });
    for (const id of ids.slice(3)) {
      fake.dmEvents.push({ event: { id, event_type: 'MessageCreate', text: `dm ${id}`, sender_id: fakeCustomer.id, dm_conversation_id: `${fakeCustomer.id}-${fakeBrand.id}` }, user });
    }
    const client = createXClient({ baseUrl: fake.url, userAccessToken: fake.userAccessToken });
    const options = { channelId: 'ch-x', accountId: fakeBrand.id, ownUserIds: [fakeBrand.id], includeMentions: true, includeDms: true, pageSize: 2 };
    const first = await pollX(client, options, null);
    expect(first.envelopes.map((e) => e.externalId)).toEqual(ids);
    expect(first.envelopes.map((e) => e.kind)).toEqual(['post', 'post', 'post', 'dm', 'dm']);
    expect(first.envelopes[0]?.author).toMatchObject({ handle: 'cust', followers: 5 });
    const later = fakeXId();
    fake.dmEvents.push({ event: { id: later, event_type: 'MessageCreate', text: 'again', sender_id: fakeCustomer.id }, user });
    const second = await pollX(client, options, first.cursor);
    expect(second.envelopes.map((e) => e.externalId)).toEqual([later]);
    const third = await pollX(client, options, second.cursor);
    expect(third.envelopes).toEqual([]);
    expect(third.cursor).toBe(second.cursor);
  });
});
