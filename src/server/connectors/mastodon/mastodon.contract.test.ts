import { runAdapterContract } from '../contract/run-adapter-contract.js';
import { loopbackContext } from '../contract/loopback-guard.js';
import { startFakeMastodonServer } from './fake-server.js';
import { createMastodonAdapter } from './mastodon.connector.js';

let counter = 0;

// Edits and deletes made while no stream is connected come from re-reading recent mentions on catch-up;
// mastodon.test.ts covers the live frames.
runAdapterContract('mastodon (user stream)', async () => {
  const fake = await startFakeMastodonServer({ accessToken: 'tok' });
  return {
    createAdapter: () =>
      createMastodonAdapter({ id: 'ch-m', platform: 'mastodon', config: { baseUrl: fake.url, reconnectBaseMs: 50 }, credentials: { accessToken: 'tok' }, ownAccountIds: [] }, loopbackContext),
    inbound: { mode: 'stream' },
    supports: { edits: true, deletes: true, echoes: true, cursor: true },
    async publish(event) {
      if (event.type === 'message') return fake.mention({ acct: `cust${++counter}@other.test`, text: event.text }).statusId;
      if (event.type === 'edit') {
        fake.edit(event.of, event.text);
        return event.of;
      }
      if (event.type === 'delete') {
        fake.remove(event.of);
        return event.of;
      }
      if (event.type === 'echo') return event.sent.platformMessageId;
      throw new Error('unexpected contract event');
    },
    outboundFor: (envelope) => [
      { idempotencyKey: `r${++counter}`, channelId: 'ch-m', kind: 'reply', text: `we are looking into it (${counter})`, inReplyToExternalId: envelope.externalId },
      { idempotencyKey: `d${++counter}`, channelId: 'ch-m', kind: 'dm', text: `please send your order number (${counter})`, recipient: { platformId: envelope.author.platformId, handle: envelope.author.handle } },
    ],
    sentTexts: () => fake.posted.map((p) => String(p.body.status)),
    failNextSend(failure) {
      if (failure === 'rate-limit') {
        const reset = Date.now() + 45_000;
        fake.failNext('/api/v1/statuses', 429, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': new Date(reset).toISOString() }, { method: 'POST' });
        return reset - Date.now();
      }
      fake.failNext('/api/v1/statuses', 422, {}, { method: 'POST', error: "Validation failed: Text can't be blank" });
      return null;
    },
    permanentReason: /refused the status/,
    close: () => fake.close(),
  };
});
