import { afterEach, describe, expect, it } from 'vitest';
import { envelopeSchema } from '../../../shared/envelope.js';
import { ConnectorError } from '../port.js';
import { startMetaFakeServer } from '../meta/fake-server.js';
import type { MetaFakeServer } from '../meta/fake-server.js';
import { fakeWaba, whatsappMessageOfType } from './fake-payloads.js';
import { mapWhatsAppPayload } from './map.js';
import { createWhatsAppAdapter } from './whatsapp.connector.js';

let fake: MetaFakeServer | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

async function adapter() {
  fake = await startMetaFakeServer();
  return createWhatsAppAdapter({
    id: 'ch-wa',
    platform: 'whatsapp',
    config: { graphBaseUrl: fake.url, phoneNumberId: fakeWaba.phoneNumberId },
    credentials: { accessToken: fake.accessToken, appSecret: fake.appSecret },
    ownAccountIds: [],
  });
}

describe('WhatsApp sends', () => {
  it('sends free text inside the 24-hour window with the reply context', async () => {
    const wa = await adapter();
    const result = await wa.send({ idempotencyKey: 'a', channelId: 'ch-wa', kind: 'dm', text: 'hi', recipient: { platformId: '+1 650-555-1234' }, inReplyToExternalId: 'wamid.X', lastInboundAt: hoursAgo(3) });
    expect(result.platformMessageId).toMatch(/^wamid\./);
    expect(fake?.sent[0]?.body).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: '16505551234', type: 'text', text: { body: 'hi', preview_url: false }, context: { message_id: 'wamid.X' } });
  });

  it('sends a template outside the window and refuses free text there', async () => {
    const wa = await adapter();
    const base = { idempotencyKey: 'b', channelId: 'ch-wa', kind: 'dm' as const, text: 'hello again', recipient: { platformId: '16505551234' }, lastInboundAt: hoursAgo(30) };
    const error = await wa.send(base).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).retryable).toBe(false);
    expect((error as ConnectorError).message).toMatch(/30 hours ago.*template/);
    await wa.send({ ...base, template: { name: 'order_update', language: 'en_US', parameters: ['#123'] } });
    expect(fake?.sent[0]?.body.template).toEqual({ name: 'order_update', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: '#123' }] }] });
  });

  it('maps 131047 (re-engagement required) to a permanent window error', async () => {
    const wa = await adapter();
    fake?.failNext('/messages', { status: 400, body: { error: { message: 'Re-engagement message', code: 131047, type: 'OAuthException' } } });
    const error = await wa.send({ idempotencyKey: 'c', channelId: 'ch-wa', kind: 'dm', text: 'x', recipient: { platformId: '1' } }).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ retryable: false, message: expect.stringContaining('messaging window') });
  });
});

describe('mapWhatsAppPayload', () => {
  it('maps media captions, button replies and locations, and skips reactions and other numbers', () => {
    const cases = [
      whatsappMessageOfType({ id: 'w1', from: '1', type: 'image', body: { caption: 'broken box', mime_type: 'image/jpeg', id: 'media1' } }),
      whatsappMessageOfType({ id: 'w2', from: '1', type: 'interactive', body: { type: 'button_reply', button_reply: { id: 'b', title: 'Talk to an agent' } } }),
      whatsappMessageOfType({ id: 'w3', from: '1', type: 'location', body: { latitude: 52.5, longitude: 13.4, name: 'Depot' } }),
      whatsappMessageOfType({ id: 'w4', from: '1', type: 'reaction', body: { message_id: 'w1', emoji: '👍' } }),
    ];
    const envelopes = cases.flatMap((payload) => mapWhatsAppPayload(payload, 'ch-wa', fakeWaba.phoneNumberId));
    expect(envelopes.map((e) => envelopeSchema.parse(e).text)).toEqual(['broken box', 'Talk to an agent', 'Location: 52.5,13.4 (Depot)']);
    expect(envelopes[0]?.attachments).toEqual([{ url: null, contentType: 'image/jpeg', name: 'media1' }]);
    expect(envelopes[0]?.author).toMatchObject({ platformId: '1', phone: '+1', displayName: 'Sheena Nelson' });
    expect(mapWhatsAppPayload(cases[0], 'ch-wa', 'another-number')).toEqual([]);
  });
});
