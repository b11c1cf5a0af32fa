import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeBrand } from './fake-payloads.js';
import { startXFakeServer, type XFakeServer } from './fake-server.js';
import { createXAdapter } from './x.connector.js';

const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex');
// Larger than one 4 MB APPEND segment, so the video goes up in two.
const video = Buffer.concat([Buffer.from('0000002066747970', 'hex'), Buffer.from('isom0000isomiso2avc1mp41', 'latin1'), Buffer.alloc(4 * 1024 * 1024 + 10, 7)]);

describe('X reply media (v2 media upload)', () => {
  let fake: XFakeServer;
  const adapter = () =>
    createXAdapter({
      id: 'ch-x', platform: 'x',
      config: { baseUrl: fake.url, accountId: fakeBrand.id, accountHandle: fakeBrand.username },
      credentials: { bearerToken: fake.bearerToken, accessToken: fake.userAccessToken }, ownAccountIds: [],
    });
  beforeAll(async () => {
    fake = await startXFakeServer();
  });
  afterAll(async () => fake.close());

  it('uploads images in one POST /2/media/upload and names them in media.media_ids on POST /2/tweets', async () => {
    const sent = await adapter().send({
      idempotencyKey: 'x-1', channelId: 'ch-x', kind: 'reply', text: 'Here are the settings', inReplyToExternalId: '1800000000000000001',
      media: [{ filename: 'a.png', contentType: 'image/png', bytes: png }, { filename: 'b.png', contentType: 'image/png', bytes: png }],
    });
    const uploaded = fake.media.slice(-2);
    expect(uploaded.map((m) => ({ category: m.category, type: m.mediaType, same: m.bytes.equals(png), usedBy: m.usedBy }))).toEqual([
      { category: 'tweet_image', type: 'image/png', same: true, usedBy: sent.platformMessageId },
      { category: 'tweet_image', type: 'image/png', same: true, usedBy: sent.platformMessageId },
    ]);
    expect(fake.tweets.at(-1)).toMatchObject({ id: sent.platformMessageId, inReplyTo: '1800000000000000001', mediaIds: uploaded.map((m) => m.id) });
  });

  it('uploads a video in segments (initialize, append, finalize), waits for processing, then posts', async () => {
    const sent = await adapter().send({ idempotencyKey: 'x-2', channelId: 'ch-x', kind: 'reply', text: 'Watch how to reset it', media: [{ filename: 'reset.mp4', contentType: 'video/mp4', bytes: video }] });
    const m = fake.media.at(-1)!;
    expect(m).toMatchObject({ category: 'tweet_video', mediaType: 'video/mp4', totalBytes: video.length, segments: [0, 1], state: 'succeeded', usedBy: sent.platformMessageId });
    expect(m.bytes.equals(video)).toBe(true);
  });

  it('sends one attachment with a DM', async () => {
    const sent = await adapter().send({ idempotencyKey: 'x-3', channelId: 'ch-x', kind: 'dm', text: 'Your label', recipient: { platformId: '2244994945' }, media: [{ filename: 'label.png', contentType: 'image/png', bytes: png }] });
    const m = fake.media.at(-1)!;
    expect(m.category).toBe('dm_image');
    expect(fake.dms.at(-1)).toMatchObject({ eventId: sent.platformMessageId, mediaIds: [m.id] });
  });

  it('refuses what X cannot carry before uploading or posting anything', async () => {
    const [uploads, tweets] = [fake.media.length, fake.postCalls];
    const base = { idempotencyKey: 'x-4', channelId: 'ch-x', kind: 'reply' as const, text: 'see attached' };
    await expect(adapter().send({ ...base, media: [{ filename: 'a.pdf', contentType: 'application/pdf', bytes: Buffer.from('%PDF-1.4') }] })).rejects.toMatchObject({ retryable: false, platformCode: 'media_limits' });
    await expect(adapter().send({ ...base, media: [{ filename: 'v.mp4', contentType: 'video/mp4', bytes: video }, { filename: 'a.png', contentType: 'image/png', bytes: png }] })).rejects.toMatchObject({ platformCode: 'media_limits' });
    await expect(adapter().send({ ...base, media: [{ filename: 'big.png', contentType: 'image/png', bytes: Buffer.alloc(5 * 1024 * 1024 + 1) }] })).rejects.toMatchObject({ platformCode: 'media_limits' });
    await expect(adapter().send({ ...base, kind: 'dm', recipient: { platformId: '2244994945' }, media: [{ filename: 'a.png', contentType: 'image/png', bytes: png }, { filename: 'b.png', contentType: 'image/png', bytes: png }] })).rejects.toMatchObject({ platformCode: 'too_many_media' });
    expect([fake.media.length, fake.postCalls]).toEqual([uploads, tweets]);
  });
});
