import { afterEach, describe, expect, it } from 'vitest';
import { startMetaFakeServer, type MetaFakeServer } from '../meta/fake-server.js';
import { fakeWaba } from './fake-payloads.js';
import { createWhatsAppAdapter } from './whatsapp.connector.js';

const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex');
const pdf = Buffer.from('%PDF-1.4\n%%EOF\n', 'latin1');
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

describe('WhatsApp media (Cloud API)', () => {
  let fake: MetaFakeServer | null = null;
  afterEach(async () => {
    await fake?.close();
    fake = null;
  });
  const adapter = async () => {
    fake = await startMetaFakeServer();
    return createWhatsAppAdapter({ id: 'ch-wa', platform: 'whatsapp', config: { graphBaseUrl: fake.url, phoneNumberId: fakeWaba.phoneNumberId }, credentials: { accessToken: fake.accessToken, appSecret: fake.appSecret }, ownAccountIds: [] });
  };
  const base = { idempotencyKey: 'w', channelId: 'ch-wa', kind: 'dm' as const, recipient: { platformId: '+1 650-555-1234' }, lastInboundAt: hoursAgo(2) };

  it('uploads the file to /{phone-number-id}/media, then sends an image message naming it with the text as caption', async () => {
    const wa = await adapter();
    const result = await wa.send({ ...base, text: 'Your receipt', inReplyToExternalId: 'wamid.IN', media: [{ filename: 'receipt.png', contentType: 'image/png', bytes: png }] });
    expect(fake!.whatsappMedia).toEqual([{ id: expect.any(String), phoneNumberId: fakeWaba.phoneNumberId, type: 'image/png', filename: 'receipt.png', contentType: 'image/png', bytes: png }]);
    const media = fake!.whatsappMedia[0]!;
    expect(fake!.sent.at(-1)!.path).toMatch(new RegExp(`^/v\\d+\\.\\d+/${fakeWaba.phoneNumberId}/messages$`));
    expect(fake!.sent.at(-1)).toEqual({
      path: fake!.sent.at(-1)!.path,
      id: result.platformMessageId,
      body: { messaging_product: 'whatsapp', recipient_type: 'individual', to: '16505551234', type: 'image', image: { id: media.id, caption: 'Your receipt' }, context: { message_id: 'wamid.IN' } },
    });
  });

  it('sends a PDF as a document with its filename', async () => {
    const wa = await adapter();
    await wa.send({ ...base, text: 'The contract', media: [{ filename: 'contract.pdf', contentType: 'application/pdf', bytes: pdf }] });
    const media = fake!.whatsappMedia[0]!;
    expect(fake!.sent.at(-1)!.body).toMatchObject({ type: 'document', document: { id: media.id, caption: 'The contract', filename: 'contract.pdf' } });
  });

  it('refuses before any call: two files, an unsupported type, a long caption, outside the window', async () => {
    const wa = await adapter();
    const one = [{ filename: 'a.png', contentType: 'image/png', bytes: png }];
    await expect(wa.send({ ...base, text: 'x', media: [...one, ...one] })).rejects.toMatchObject({ retryable: false, platformCode: 'media_limits' });
    await expect(wa.send({ ...base, text: 'x', media: [{ filename: 'a.gif', contentType: 'image/gif', bytes: png }] })).rejects.toMatchObject({ platformCode: 'media_limits' });
    await expect(wa.send({ ...base, text: 'y'.repeat(1025), media: one })).rejects.toMatchObject({ platformCode: 'media_limits' });
    await expect(wa.send({ ...base, text: 'x', lastInboundAt: hoursAgo(30), template: { name: 'update', language: 'en' }, media: one })).rejects.toMatchObject({ platformCode: 'media_outside_window' });
    expect(fake!.whatsappMedia).toEqual([]);
    expect(fake!.sent).toEqual([]);
  });
});
