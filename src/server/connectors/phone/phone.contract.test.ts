import { runAdapterContract } from '../contract/run-adapter-contract.js';
import type { WebhookRequest } from '../port.js';
import { createFakeTelephony } from './fake-telephony.js';
import { createPhoneAdapter } from './phone.connector.js';

const secret = 'telephony-signing-secret-0123456789';

runAdapterContract('phone', async () => {
  const telephony = createFakeTelephony(secret);
  const queued: WebhookRequest[] = [];
  return {
    createAdapter: () => createPhoneAdapter({ id: 'ch-phone', platform: 'phone', config: { defaultCountry: 'US' }, credentials: { signingSecret: secret }, ownAccountIds: [] }),
    inbound: { mode: 'webhook', signatureHeader: 'x-parley-signature', takeRequests: () => queued.splice(0) },
    async publish(event) {
      if (event.type !== 'message') throw new Error('telephony systems send no edits, deletes or echoes');
      const callId = telephony.nextCallId();
      queued.push(telephony.delivery({ type: 'voicemail', callId, from: '(650) 555-0134', recordedAt: new Date().toISOString(), durationSeconds: 21, transcript: event.text }));
      return `voicemail:${callId}`;
    },
    outboundFor: (envelope) => [{ idempotencyKey: `p-${envelope.externalId}`, channelId: 'ch-phone', kind: 'dm', text: 'We will call you back', recipient: { platformId: envelope.author.platformId, handle: envelope.author.handle ?? null } }],
    sentTexts: () => [],
    failNextSend: () => null,
    permanentReason: /cannot place calls.*\+1 650 555 0134/s,
    supports: { edits: false, deletes: false, echoes: false, cursor: false, sends: false },
    close: async () => undefined,
  };
});
