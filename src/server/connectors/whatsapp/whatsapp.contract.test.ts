import { runAdapterContract } from '../contract/run-adapter-contract.js';
import type { WebhookRequest } from '../port.js';
import { nextFakeMetaId } from '../meta/fake-payloads.js';
import { startMetaFakeServer } from '../meta/fake-server.js';
import { fakeWaba, whatsappStatus, whatsappTextMessage } from './fake-payloads.js';
import { createWhatsAppAdapter } from './whatsapp.connector.js';

const customer = { waId: '16505551234', name: 'Sheena Nelson' };
let counter = 0;

runAdapterContract('whatsapp', async () => {
  const fake = await startMetaFakeServer({ accessToken: 'system-user-token' });
  const queued: WebhookRequest[] = [];
  return {
    createAdapter: () =>
      createWhatsAppAdapter({
        id: 'ch-wa',
        platform: 'whatsapp',
        config: { graphBaseUrl: fake.url, phoneNumberId: fakeWaba.phoneNumberId },
        credentials: { accessToken: fake.accessToken, appSecret: fake.appSecret, verifyToken: fake.verifyToken },
        ownAccountIds: [],
      }),
    inbound: {
      mode: 'webhook',
      signatureHeader: 'x-hub-signature-256',
      takeRequests: () => queued.splice(0),
      handshake: { good: fake.handshake(fake.verifyToken, '1158201444'), expectBody: '1158201444', bad: fake.handshake('nope', '1158201444') },
    },
    async publish(event) {
      if (event.type === 'message') {
        const id = `wamid.${Buffer.from(nextFakeMetaId()).toString('base64')}`;
        queued.push(fake.signedDelivery(whatsappTextMessage({ id, from: customer.waId, name: customer.name, text: event.text })));
        return id;
      }
      if (event.type === 'echo') {
        // WhatsApp reports our own sends only as status callbacks, which must never become messages.
        const id = event.sent.platformMessageId;
        queued.push(fake.signedDelivery(whatsappStatus({ id, recipient: customer.waId, status: 'delivered' })));
        return id;
      }
      throw new Error('WhatsApp webhooks carry no edits or deletes');
    },
    outboundFor(envelope) {
      counter += 1;
      return [{ idempotencyKey: `w${counter}`, channelId: 'ch-wa', kind: 'dm', text: `Thanks, we are checking (${counter})`, recipient: { platformId: envelope.author.platformId }, inReplyToExternalId: envelope.externalId, lastInboundAt: envelope.createdAt }];
    },
    sentTexts: () => fake.sent.map((s) => String((s.body.text as { body?: string } | undefined)?.body ?? '')),
    failNextSend(failure) {
      if (failure === 'rate-limit') {
        const buc = { [fakeWaba.wabaId]: [{ type: 'whatsapp_business_management', call_count: 100, total_cputime: 1, total_time: 1, estimated_time_to_regain_access: 1 }] };
        fake.failNext('/messages', { status: 400, headers: { 'x-business-use-case-usage': JSON.stringify(buc) }, body: { error: { message: '(#130429) Rate limit hit', type: 'OAuthException', code: 130429, fbtrace_id: 'x' } } });
        return 60_000;
      }
      fake.failNext('/messages', { status: 400, body: { error: { message: '(#131026) Message undeliverable', type: 'OAuthException', code: 131026, fbtrace_id: 'x' } } });
      return null;
    },
    permanentReason: /undeliverable/,
    supports: { edits: false, deletes: false, echoes: true, cursor: false },
    close: () => fake.close(),
  };
});
