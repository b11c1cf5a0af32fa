import { runAdapterContract } from '../contract/run-adapter-contract.js';
import { startFakeRedditServer } from './fake-server.js';
import { createRedditAdapter } from './reddit.connector.js';

let counter = 0;

runAdapterContract('reddit (listing poll)', async () => {
  const creds = { clientId: 'cid', clientSecret: 'csecret', username: 'acme_support', password: 'pw' };
  const fake = await startFakeRedditServer(creds);
  return {
    expireAccess() {
      fake.expireTokens();
      return () => fake.tokenGrants.length;
    },
    createAdapter: () =>
      createRedditAdapter({
        id: 'ch-reddit', platform: 'reddit',
        config: { apiBaseUrl: fake.url, authBaseUrl: fake.url, subreddits: ['acme'], includeInbox: true, userAgent: 'test:parley:1 (by /u/acme_support)' },
        credentials: creds, ownAccountIds: [],
      }),
    inbound: { mode: 'poll' },
    supports: { edits: true, deletes: true, echoes: true, cursor: true },
    async publish(event) {
      if (event.type === 'message') return fake.addComment({ subreddit: 'acme', author: `customer${++counter}`, body: event.text });
      if (event.type === 'edit') {
        fake.edit(event.of, event.text);
        return event.of;
      }
      if (event.type === 'delete') {
        fake.remove(event.of);
        return event.of;
      }
      // /api/comment already put our reply in the subreddit listing, where the next poll meets it.
      return event.sent.platformMessageId;
    },
    outboundFor: (envelope) => [{ idempotencyKey: `r${++counter}`, channelId: 'ch-reddit', kind: 'reply', text: `Sorry about that, checking now (${counter})`, inReplyToExternalId: envelope.externalId }],
    sentTexts: () => fake.replies.map((r) => String(r.data.body)),
    failNextSend(failure) {
      if (failure === 'rate-limit') {
        fake.failNext('/api/comment', 429, { 'x-ratelimit-used': '100', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '37' });
        return 37_000;
      }
      fake.failNext('/api/comment', 200, {}, { json: { errors: [['THREAD_LOCKED', 'this thread is locked', 'parent']] } });
      return null;
    },
    permanentReason: /THREAD_LOCKED/,
    close: () => fake.close(),
  };
});
