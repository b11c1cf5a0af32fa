import { randomBytes } from 'node:crypto';
import { runAdapterContract } from '../contract/run-adapter-contract.js';
import { createMemoryChatMailbox } from './mailbox.js';
import { createWebchatAdapter } from './webchat.connector.js';

runAdapterContract('web chat', async () => {
  const mailbox = createMemoryChatMailbox();
  const visitorId = randomBytes(16).toString('base64url');
  let counter = 0;
  return {
    createAdapter: () => createWebchatAdapter({ id: 'ch-chat', platform: 'chat', config: { allowedOrigins: ['https://shop.example'], pollMs: 100 }, credentials: {}, ownAccountIds: [] }, { chatMailbox: mailbox }),
    inbound: { mode: 'stream' },
    async publish(event) {
      if (event.type !== 'message') throw new Error('visitors cannot edit or delete chat messages');
      counter += 1;
      const { entry } = await mailbox.append({ channelId: 'ch-chat', visitorId, direction: 'in', externalId: `${visitorId}.m${counter}`, text: event.text, displayName: null, pageUrl: 'https://shop.example/help', createdAt: Date.now() });
      return entry.externalId;
    },
    outboundFor: (envelope) => [{ idempotencyKey: `reply-${envelope.externalId}`, channelId: 'ch-chat', kind: 'chat', text: `Happy to help (${envelope.externalId})`, recipient: { platformId: envelope.author.platformId }, threadKey: envelope.threadKey ?? null }],
    sentTexts: () => mailbox.entries.filter((e) => e.direction === 'out').map((e) => e.text),
    failNextSend: () => null,
    permanentReason: /no visitor/,
    supports: { edits: false, deletes: false, echoes: false, cursor: true, sendFailures: false },
    close: async () => undefined,
  };
});
