import { runAdapterContract } from '../contract/run-adapter-contract.js';
import { createBlueskyAdapter } from './bluesky.connector.js';
import { startFakeBlueskyServer } from './fake-server.js';
import { createMemoryCredentialStore } from '../contract/memory-credentials.js';
import { loopbackContext } from '../contract/loopback-guard.js';

let counter = 0;

runAdapterContract('bluesky (jetstream)', async () => {
  const fake = await startFakeBlueskyServer({ handle: 'acme.test', appPassword: 'app-pass' });
  // The channel row: a restarted adapter resumes the session the last one stored.
  const store = createMemoryCredentialStore({ identifier: 'acme.test', appPassword: 'app-pass' });
  return {
    expireAccess() {
      fake.expireAccessOnce();
      return () => fake.calls.filter((c) => c === 'com.atproto.server.refreshSession').length;
    },
    createAdapter: () =>
      createBlueskyAdapter({
        id: 'ch-b', platform: 'bluesky',
        // A fresh channel backfills a minute so what was posted just before the first connection is not missed.
        config: { pdsUrl: fake.url, jetstreamUrl: fake.jetstreamUrl, brandHandle: 'acme.test', backfillSeconds: 60, reconnectBaseMs: 50, flushMs: 20 },
        credentials: store.current, ownAccountIds: [], credentialStore: store,
      }, loopbackContext),
    inbound: { mode: 'stream' },
    supports: { edits: true, deletes: true, echoes: true, cursor: true },
    async publish(event) {
      if (event.type === 'message') return fake.post({ did: `did:plc:customer${++counter}`, text: `@acme.test ${event.text}`, mention: true });
      if (event.type === 'edit') {
        fake.edit(event.of, `@acme.test ${event.text}`);
        return event.of;
      }
      if (event.type === 'delete') {
        fake.remove(event.of);
        return event.of;
      }
      // createRecord already committed our post to the firehose.
      return event.sent.platformMessageId;
    },
    outboundFor: (envelope) => [
      { idempotencyKey: `r${++counter}`, channelId: 'ch-b', kind: 'reply', text: `On it, sorry for the trouble (${counter})`, inReplyToExternalId: envelope.externalId },
      { idempotencyKey: `d${++counter}`, channelId: 'ch-b', kind: 'dm', text: `Could you DM your order number? (${counter})`, recipient: { platformId: envelope.author.platformId } },
    ],
    sentTexts: () => [...fake.created.map((c) => String(c.record.text)), ...fake.chatMessages.map((m) => m.text)],
    failNextSend(failure) {
      if (failure === 'rate-limit') {
        const reset = Math.floor(Date.now() / 1000) + 60;
        fake.failNext('com.atproto.repo.createRecord', 429, { 'ratelimit-limit': '5000', 'ratelimit-remaining': '0', 'ratelimit-reset': String(reset), 'ratelimit-policy': '5000;w=3600' });
        return reset * 1000 - Date.now();
      }
      fake.failNext('com.atproto.repo.createRecord', 400, {}, { error: 'InvalidRequest', message: 'Invalid app.bsky.feed.post record: reply parent not found' });
      return null;
    },
    permanentReason: /refused the request/,
    close: () => fake.close(),
  };
});
