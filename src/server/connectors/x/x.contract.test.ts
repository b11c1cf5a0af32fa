import { runAdapterContract } from '../contract/run-adapter-contract.js';
import type { ContractFixture } from '../contract/run-adapter-contract.js';
import type { OutboundMessage, WebhookRequest } from '../port.js';
import { aaaTweetCreate, aaaTweetDelete, fakeBrand, fakeCustomer, fakeXId, v2StreamLine } from './fake-payloads.js';
import { startXFakeServer } from './fake-server.js';
import type { XFakeServer } from './fake-server.js';
import { xCrcResponseToken } from './webhook.js';
import { createXAdapter } from './x.connector.js';
import { createMemoryCredentialStore } from '../contract/memory-credentials.js';

let counter = 0;

async function untilNoStream(fake: XFakeServer): Promise<void> {
  // A stream the previous collect aborted may take a moment to close on the server side (longer on a busy machine).
  const deadline = Date.now() + 20_000;
  while (fake.streamConnections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

function baseFixture(fake: XFakeServer): Omit<ContractFixture, 'inbound' | 'publish' | 'supports'> {
  // User tokens expire as X's do (here after seconds, not hours); the channel row keeps the rotated pair.
  const grant = fake.issueUserGrant();
  const store = createMemoryCredentialStore({
    bearerToken: fake.bearerToken,
    consumerSecret: fake.consumerSecret,
    accessToken: grant.accessToken,
    refreshToken: grant.refreshToken,
    accessTokenExpiresAt: grant.expiresAt,
    clientId: 'parley-client',
    clientSecret: 'parley-client-secret',
  });
  return {
    expireAccess() {
      fake.revokeUserAccessTokens();
      return () => fake.refreshes.filter((r) => r.ok).length;
    },
    createAdapter: () =>
      createXAdapter({
        id: 'ch-x',
        platform: 'x',
        config: {
          baseUrl: fake.url,
          accountId: fakeBrand.id,
          accountHandle: fakeBrand.username,
          keepAliveTimeoutMs: 3000,
          backoff: { networkStartMs: 10, httpStartMs: 20, rateLimitStartMs: 20, httpCapMs: 200 },
          tokenRefreshSkewMs: 100,
        },
        credentials: store.current,
        ownAccountIds: [],
        credentialStore: store,
      }),
    outboundFor(envelope): OutboundMessage[] {
      counter += 1;
      return [
        { idempotencyKey: `r${counter}`, channelId: 'ch-x', kind: 'reply', text: `@cust sorry about that (${counter})`, inReplyToExternalId: envelope.externalId },
        { idempotencyKey: `d${counter}`, channelId: 'ch-x', kind: 'dm', text: `Send us your order number (${counter})`, recipient: { platformId: envelope.author.platformId } },
      ];
    },
    sentTexts: () => [...fake.tweets.map((t) => t.text), ...fake.dms.map((d) => d.text)],
    failNextSend(failure) {
      if (failure === 'rate-limit') {
        const reset = Math.floor(Date.now() / 1000) + 30;
        fake.failNext('/2/tweets', {
          status: 429,
          headers: { 'x-rate-limit-limit': '300', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(reset) },
          body: { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 },
        });
        return reset * 1000 - Date.now();
      }
      fake.failNext('/2/tweets', { status: 403, body: { title: 'Forbidden', detail: 'You are not allowed to reply to this Post.', type: 'about:blank', status: 403 } });
      return null;
    },
    permanentReason: /not allowed to reply/,
    close: () => fake.close(),
  };
}

runAdapterContract('x (filtered stream)', async () => {
  const fake = await startXFakeServer({ keepAliveMs: 500, accessTokenTtlMs: 1500 });
  // The rule the brand's listening compiled to: a reconnect recovers through search/recent with it.
  fake.rules.push({ id: fakeXId(), value: '@acme', tag: 'parley:brand' });
  return {
    ...baseFixture(fake),
    inbound: { mode: 'stream' },
    supports: { edits: true, deletes: false, echoes: true, cursor: true },
    async publish(event) {
      await untilNoStream(fake);
      if (event.type === 'message') {
        const id = fakeXId();
        fake.pushStreamLine(v2StreamLine({ id, text: `@acme ${event.text}`, author: fakeCustomer, inReplyTo: null }));
        return id;
      }
      if (event.type === 'edit') {
        fake.pushStreamLine(v2StreamLine({ id: fakeXId(), text: event.text, author: fakeCustomer, editOf: [event.of] }));
        return event.of;
      }
      if (event.type === 'echo') {
        const inReplyTo = event.message.inReplyToExternalId ? { tweetId: event.message.inReplyToExternalId, userId: fakeCustomer.id } : null;
        fake.pushStreamLine(v2StreamLine({ id: event.sent.platformMessageId, text: event.message.text, author: fakeBrand, inReplyTo }));
        return event.sent.platformMessageId;
      }
      throw new Error('the filtered stream carries no deletes');
    },
  };
});

runAdapterContract('x (account activity webhooks)', async () => {
  const fake = await startXFakeServer({ accessTokenTtlMs: 1500 });
  const queued: WebhookRequest[] = [];
  return {
    ...baseFixture(fake),
    inbound: {
      mode: 'webhook',
      signatureHeader: 'x-twitter-webhooks-signature',
      takeRequests: () => queued.splice(0),
      handshake: {
        good: fake.crcRequest('crc-123'),
        expectBody: JSON.stringify({ response_token: xCrcResponseToken(fake.consumerSecret, 'crc-123') }),
        bad: { method: 'GET', headers: {}, query: {}, rawBody: Buffer.alloc(0) },
      },
    },
    supports: { edits: true, deletes: true, echoes: true, cursor: false },
    async publish(event) {
      if (event.type === 'message') {
        const id = fakeXId();
        queued.push(fake.signedDelivery(aaaTweetCreate([{ id, text: `@acme ${event.text}`, author: fakeCustomer }], fakeBrand)));
        return id;
      }
      if (event.type === 'delete') {
        queued.push(fake.signedDelivery(aaaTweetDelete(event.of, fakeCustomer.id, fakeBrand)));
        return event.of;
      }
      if (event.type === 'edit') {
        queued.push(fake.signedDelivery(aaaTweetCreate([{ id: fakeXId(), text: `@acme ${event.text}`, author: fakeCustomer, editOf: [event.of] }], fakeBrand)));
        return event.of;
      }
      if (event.type === 'echo') {
        const id = event.sent.platformMessageId;
        queued.push(fake.signedDelivery(aaaTweetCreate([{ id, text: event.message.text, author: fakeBrand }], fakeBrand)));
        return id;
      }
      throw new Error('unexpected contract event');
    },
  };
});

runAdapterContract('x (mentions and DM polling)', async () => {
  const fake = await startXFakeServer({ accessTokenTtlMs: 1500 });
  const base = baseFixture(fake);
  const mention = (tweet: Parameters<typeof v2StreamLine>[0]) => {
    const line = v2StreamLine(tweet) as { data: Record<string, unknown>; includes: { users: Record<string, unknown>[] } };
    fake.mentions.push({ tweet: line.data, user: line.includes.users[0] ?? {} });
  };
  return {
    ...base,
    // DM first: the DM echo is what polling sees of our own sends (our replies do not mention us).
    outboundFor: (envelope) => [...base.outboundFor(envelope)].reverse(),
    failNextSend(failure) {
      if (failure === 'rate-limit') {
        const reset = Math.floor(Date.now() / 1000) + 45;
        fake.failNext('/2/dm_conversations', { status: 429, headers: { 'x-rate-limit-limit': '15', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(reset) }, body: { title: 'Too Many Requests', status: 429 } });
        return reset * 1000 - Date.now();
      }
      fake.failNext('/2/dm_conversations', { status: 403, body: { title: 'Forbidden', detail: 'You are not allowed to send a message to this user.', status: 403 } });
      return null;
    },
    permanentReason: /not allowed to send a message/,
    inbound: { mode: 'poll' },
    supports: { edits: true, deletes: false, echoes: true, cursor: true },
    async publish(event) {
      if (event.type === 'message') {
        const id = fakeXId();
        mention({ id, text: `@acme ${event.text}`, author: fakeCustomer });
        return id;
      }
      if (event.type === 'edit') {
        mention({ id: fakeXId(), text: `@acme ${event.text}`, author: fakeCustomer, editOf: [event.of] });
        return event.of;
      }
      // The fake lists sent DMs in dm_events, as X does.
      if (event.type === 'echo') return event.sent.platformMessageId;
      throw new Error('polling sees no deletes');
    },
  };
});
