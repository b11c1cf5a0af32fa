import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackContext } from '../contract/loopback-guard.js';
import { createBlueskyAdapter } from './bluesky.connector.js';
import { startFakeBlueskyServer, type FakeBlueskyServer } from './fake-server.js';

const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex');
const jpeg = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');

describe('Bluesky reply images', () => {
  let server: FakeBlueskyServer;
  const adapter = () =>
    createBlueskyAdapter({
      id: 'ch-b', platform: 'bluesky',
      config: { pdsUrl: server.url, jetstreamUrl: server.jetstreamUrl, brandHandle: 'acme.test' },
      credentials: { identifier: 'acme.test', appPassword: 'app-pass-1234' }, ownAccountIds: [],
    }, loopbackContext);
  beforeAll(async () => {
    server = await startFakeBlueskyServer({ handle: 'acme.test', appPassword: 'app-pass-1234' });
  });
  afterAll(async () => server.close());

  it('uploads each image with com.atproto.repo.uploadBlob and embeds them with app.bsky.embed.images', async () => {
    const parent = server.post({ did: 'did:plc:ann', text: '@acme.test which cable?', mention: true });
    const sent = await adapter().send({
      idempotencyKey: 'b-1', channelId: 'ch-b', kind: 'reply', text: 'This one, see the photos', inReplyToExternalId: parent,
      media: [{ filename: 'cable.png', contentType: 'image/png', bytes: png }, { filename: 'port.jpg', contentType: 'image/jpeg', bytes: jpeg }],
    });
    expect(sent.platformMessageId).toMatch(/^at:\/\//);
    const blobs = server.blobs.slice(-2);
    expect(blobs.map((b) => ({ mimeType: b.mimeType, same: b.bytes.equals(b.mimeType === 'image/png' ? png : jpeg) }))).toEqual([
      { mimeType: 'image/png', same: true },
      { mimeType: 'image/jpeg', same: true },
    ]);
    const record = server.created.at(-1)!.record;
    expect(record.embed).toEqual({
      $type: 'app.bsky.embed.images',
      images: blobs.map((b) => ({ alt: '', image: { $type: 'blob', ref: { $link: b.cid }, mimeType: b.mimeType, size: b.bytes.length } })),
    });
    expect(record.reply).toBeDefined();
  });

  it('refuses what a post cannot carry before uploading or posting anything', async () => {
    const calls = server.calls.length;
    const created = server.created.length;
    const base = { idempotencyKey: 'b-2', channelId: 'ch-b', kind: 'reply' as const, text: 'see attached' };
    await expect(adapter().send({ ...base, media: [{ filename: 'a.pdf', contentType: 'application/pdf', bytes: Buffer.from('%PDF-1.4') }] })).rejects.toMatchObject({ retryable: false, platformCode: 'media_type' });
    await expect(adapter().send({ ...base, media: [{ filename: 'big.png', contentType: 'image/png', bytes: Buffer.alloc(1_000_001) }] })).rejects.toMatchObject({ retryable: false, platformCode: 'media_too_large' });
    await expect(adapter().send({ ...base, media: Array.from({ length: 5 }, () => ({ filename: 'a.png', contentType: 'image/png', bytes: png })) })).rejects.toMatchObject({ platformCode: 'too_many_media' });
    await expect(adapter().send({ ...base, kind: 'dm', recipient: { platformId: 'did:plc:ann' }, media: [{ filename: 'a.png', contentType: 'image/png', bytes: png }] })).rejects.toMatchObject({ platformCode: 'media_unsupported' });
    expect(server.calls.length).toBe(calls);
    expect(server.created.length).toBe(created);
  });
});
