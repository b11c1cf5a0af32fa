import { runAdapterContract } from '../contract/run-adapter-contract.js';
import type { ContractEvent, ContractFixture } from '../contract/run-adapter-contract.js';
import type { ChannelAdapter, OutboundMessage, WebhookRequest } from '../port.js';
import type { Envelope } from '../../../shared/envelope.js';
import { facebookFeedComment, instagramComment, metaMessagingEvent, nextFakeMetaId } from './fake-payloads.js';
import { startMetaFakeServer } from './fake-server.js';
import type { MetaFakeServer } from './fake-server.js';
import { createFacebookAdapter } from './facebook.connector.js';
import { createInstagramAdapter } from './instagram.connector.js';

const pageId = '1122334455';
const igUserId = '17841400000000001';
const customer = { id: '6655443322', name: 'Jane Doe', username: 'jane_doe' };
let counter = 0;

interface Flavour {
  platform: 'facebook' | 'instagram';
  supports: ContractFixture['supports'];
  /** Webhook body for one contract event, and the externalId it should map to. */
  payload(event: ContractEvent, fake: MetaFakeServer): { body: unknown; id: string };
  outbound(envelope: Envelope): OutboundMessage[];
}

function createAdapter(flavour: Flavour, fake: MetaFakeServer): ChannelAdapter {
  const credentials = { accessToken: fake.accessToken, appSecret: fake.appSecret, verifyToken: fake.verifyToken, appSecretProof: true };
  const common = { graphBaseUrl: fake.url, graphVersion: 'v23.0' };
  return flavour.platform === 'facebook'
    ? createFacebookAdapter({ id: 'ch-fb', platform: 'facebook', config: { ...common, pageId }, credentials, ownAccountIds: [] })
    : createInstagramAdapter({ id: 'ch-ig', platform: 'instagram', config: { ...common, igUserId }, credentials, ownAccountIds: [] });
}

function metaContract(name: string, flavour: Flavour): void {
  runAdapterContract(name, async () => {
    const fake = await startMetaFakeServer({ requireProof: true });
    const queued: WebhookRequest[] = [];
    return {
      createAdapter: () => createAdapter(flavour, fake),
      inbound: {
        mode: 'webhook',
        signatureHeader: 'x-hub-signature-256',
        takeRequests: () => queued.splice(0),
        handshake: { good: fake.handshake(fake.verifyToken, 'challenge-42'), expectBody: 'challenge-42', bad: fake.handshake('wrong-token', 'challenge-42') },
      },
      async publish(event) {
        const { body, id } = flavour.payload(event, fake);
        queued.push(fake.signedDelivery(body));
        return id;
      },
      outboundFor: (envelope) => flavour.outbound(envelope),
      sentTexts: () => fake.sent.map((s) => String((s.body.message as { text?: string } | undefined)?.text ?? s.body.message ?? '')),
      failNextSend(failure) {
        if (failure === 'rate-limit') {
          const buc = { [pageId]: [{ type: 'pages', call_count: 100, total_cputime: 20, total_time: 25, estimated_time_to_regain_access: 3 }] };
          fake.failNext('/', { status: 400, headers: { 'x-business-use-case-usage': JSON.stringify(buc) }, body: { error: { message: 'Page request limit reached', type: 'OAuthException', code: 32, fbtrace_id: 'x' } } });
          return 3 * 60_000;
        }
        fake.failNext('/', { status: 401, body: { error: { message: 'Error validating access token: Session has expired', type: 'OAuthException', code: 190, error_subcode: 463 } } });
        return null;
      },
      permanentReason: /reauthorize/,
      supports: flavour.supports,
      close: () => fake.close(),
    };
  });
}

const reply = (channelId: string, envelope: Envelope): OutboundMessage => {
  counter += 1;
  return { idempotencyKey: `k${counter}`, channelId, kind: 'reply', text: `Sorry to hear that (${counter})`, inReplyToExternalId: envelope.externalId };
};
const dm = (channelId: string, envelope: Envelope): OutboundMessage => {
  counter += 1;
  return { idempotencyKey: `k${counter}`, channelId, kind: 'dm', text: `We are on it (${counter})`, recipient: { platformId: envelope.author.platformId }, lastInboundAt: envelope.createdAt };
};

metaContract('facebook (page comments)', {
  platform: 'facebook',
  supports: { edits: true, deletes: true, echoes: true, cursor: false },
  payload(event) {
    const postId = `${pageId}_987654321`;
    if (event.type === 'message') {
      const commentId = `987654321_${nextFakeMetaId()}`;
      return { id: commentId, body: facebookFeedComment({ pageId, postId, commentId, from: customer, message: event.text, verb: 'add' }) };
    }
    if (event.type === 'edit') return { id: event.of, body: facebookFeedComment({ pageId, postId, commentId: event.of, from: customer, message: event.text, verb: 'edited' }) };
    if (event.type === 'delete') return { id: event.of, body: facebookFeedComment({ pageId, postId, commentId: event.of, from: customer, verb: 'remove' }) };
    const id = event.sent.platformMessageId;
    return { id, body: facebookFeedComment({ pageId, postId, commentId: id, parentId: event.message.inReplyToExternalId ?? undefined, from: { id: pageId, name: 'Acme' }, message: event.message.text, verb: 'add' }) };
  },
  outbound: (envelope) => [reply('ch-fb', envelope), { ...dm('ch-fb', envelope), recipient: null, inReplyToExternalId: envelope.externalId }],
});

metaContract('facebook (messenger)', {
  platform: 'facebook',
  supports: { edits: true, deletes: false, echoes: true, cursor: false },
  payload(event) {
    if (event.type === 'message') {
      const mid = `m_${nextFakeMetaId()}`;
      return { id: mid, body: metaMessagingEvent({ object: 'page', ownId: pageId, senderId: customer.id, recipientId: pageId, mid, text: event.text }) };
    }
    if (event.type === 'edit') return { id: event.of, body: metaMessagingEvent({ object: 'page', ownId: pageId, senderId: customer.id, recipientId: pageId, mid: event.of, text: event.text, edit: true }) };
    if (event.type === 'echo') {
      const mid = event.sent.platformMessageId;
      return { id: mid, body: metaMessagingEvent({ object: 'page', ownId: pageId, senderId: pageId, recipientId: customer.id, mid, text: event.message.text, isEcho: true }) };
    }
    throw new Error('Messenger has no delete webhook');
  },
  outbound: (envelope) => [dm('ch-fb', envelope)],
});

metaContract('instagram (comments)', {
  platform: 'instagram',
  supports: { edits: false, deletes: false, echoes: true, cursor: false },
  payload(event) {
    const mediaId = '18172143295349192';
    if (event.type === 'message') {
      const id = nextFakeMetaId();
      return { id, body: instagramComment({ igUserId, commentId: id, mediaId, from: customer, text: event.text }) };
    }
    if (event.type === 'echo') {
      const id = event.sent.platformMessageId;
      return { id, body: instagramComment({ igUserId, commentId: id, mediaId, parentId: event.message.inReplyToExternalId ?? undefined, from: { id: igUserId, username: 'acme' }, text: event.message.text }) };
    }
    throw new Error('Instagram comments carry no edits or deletes');
  },
  outbound: (envelope) => [reply('ch-ig', envelope), { ...dm('ch-ig', envelope), recipient: null, inReplyToExternalId: envelope.externalId }],
});

metaContract('instagram (direct)', {
  platform: 'instagram',
  supports: { edits: false, deletes: true, echoes: true, cursor: false },
  payload(event) {
    const base = { object: 'instagram' as const, ownId: igUserId, senderId: customer.id, recipientId: igUserId };
    if (event.type === 'message') {
      const mid = `aWdfZAG${nextFakeMetaId()}`;
      return { id: mid, body: metaMessagingEvent({ ...base, mid, text: event.text }) };
    }
    if (event.type === 'delete') return { id: event.of, body: metaMessagingEvent({ ...base, mid: event.of, isDeleted: true }) };
    if (event.type === 'echo') {
      const mid = event.sent.platformMessageId;
      return { id: mid, body: metaMessagingEvent({ ...base, senderId: igUserId, recipientId: customer.id, mid, text: event.message.text, isEcho: true }) };
    }
    throw new Error('Instagram DMs carry no edits');
  },
  outbound: (envelope) => [dm('ch-ig', envelope)],
});
