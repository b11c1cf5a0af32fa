import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMetaFakeServer, type MetaFakeServer } from '../meta/fake-server.js';
import { createFacebookAdapter } from '../meta/facebook.connector.js';
import type { ChannelAdapter, OutboundMessage } from '../port.js';
import { createWebchatAdapter } from '../webchat/webchat.connector.js';

const media = [{ filename: 'a.png', contentType: 'image/png', bytes: Buffer.from('89504e470d0a1a0a', 'hex') }];

/** Text-only connectors refuse a message with media, permanently, before anything reaches the platform. */
describe('connectors without media delivery', () => {
  let meta: MetaFakeServer;
  beforeAll(async () => {
    meta = await startMetaFakeServer();
  });
  afterAll(async () => meta.close());

  const refuses = async (adapter: ChannelAdapter, message: Partial<OutboundMessage>) => {
    const error = await adapter.send({ idempotencyKey: 'k', channelId: adapter.channelId, kind: 'reply', text: 'see attached', ...message, media }).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ retryable: false });
    return error as Error;
  };

  it('Facebook refuses media before calling the Graph API', async () => {
    const fb = createFacebookAdapter({ id: 'ch-fb', platform: 'facebook', config: { pageId: '1001', graphBaseUrl: meta.url }, credentials: { accessToken: meta.accessToken, appSecret: meta.appSecret }, ownAccountIds: [] });
    expect((await refuses(fb, { inReplyToExternalId: '1001_2002' })).message).toMatch(/text only/);
    expect((await refuses(fb, { kind: 'dm', recipient: { platformId: 'PSID1' } })).message).toMatch(/text only/);
    expect(meta.sent).toEqual([]);
  });

  it('web chat refuses it too (phone and RSS refuse every send)', async () => {
    const chat = createWebchatAdapter({ id: 'ch-chat', platform: 'chat', config: {}, credentials: {}, ownAccountIds: [] }, {});
    expect((await refuses(chat, { kind: 'chat', threadKey: 'chat:v1' })).message).toMatch(/text only/);
  });
});
