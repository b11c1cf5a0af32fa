import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMastodonAdapter } from './mastodon.connector.js';
import { startFakeMastodonServer, type FakeMastodonServer } from './fake-server.js';

// The fake instance is on loopback: plain fetch, not the private-address guard.
const context = { fetch };
const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex');
const mp4 = Buffer.concat([Buffer.from('0000002066747970', 'hex'), Buffer.from('isom0000isomiso2avc1mp41', 'latin1')]);

describe('Mastodon reply media', () => {
  let server: FakeMastodonServer;
  const adapter = () => createMastodonAdapter({ id: 'ch-m', platform: 'mastodon', config: { baseUrl: server.url, mediaPollMs: 5 }, credentials: { accessToken: 'tok' }, ownAccountIds: ['1000'] }, context);
  beforeAll(async () => {
    server = await startFakeMastodonServer({ accessToken: 'tok' });
  });
  afterAll(async () => server.close());

  it('uploads each file with POST /api/v2/media and posts the status with their media_ids', async () => {
    const { statusId } = server.mention({ acct: 'dana@other.social', text: '@acme my bill is wrong' });
    const sent = await adapter().send({
      idempotencyKey: 'm-1', channelId: 'ch-m', kind: 'reply', text: 'Here is how to read it', inReplyToExternalId: statusId,
      media: [{ filename: 'bill.png', contentType: 'image/png', bytes: png }, { filename: 'help.png', contentType: 'image/png', bytes: png }],
    });
    const uploads = server.media.slice(-2);
    expect(uploads.map((m) => ({ filename: m.filename, contentType: m.contentType, same: m.bytes.equals(png) }))).toEqual([
      { filename: 'bill.png', contentType: 'image/png', same: true },
      { filename: 'help.png', contentType: 'image/png', same: true },
    ]);
    const post = server.posted.at(-1)!;
    expect(post.body.media_ids).toEqual(uploads.map((m) => m.id));
    expect(post.idempotencyKey).toBe('m-1');
    expect(uploads.every((m) => m.attachedTo === sent.platformMessageId)).toBe(true);
  });

  it('waits for a video to be processed before posting', async () => {
    const { statusId } = server.mention({ acct: 'dana@other.social', text: '@acme how do I reset the router' });
    await adapter().send({ idempotencyKey: 'm-2', channelId: 'ch-m', kind: 'reply', text: 'This video shows it', inReplyToExternalId: statusId, media: [{ filename: 'reset.mp4', contentType: 'video/mp4', bytes: mp4 }] });
    const video = server.media.at(-1)!;
    expect(video).toMatchObject({ type: 'video', filename: 'reset.mp4', pendingPolls: 0 });
    expect(server.posted.at(-1)!.body.media_ids).toEqual([video.id]);
  });

  it('posts the status once when a retry uploads the media again', async () => {
    const { statusId } = server.mention({ acct: 'dana@other.social', text: '@acme screenshot please' });
    const message = { idempotencyKey: 'm-3', channelId: 'ch-m', kind: 'reply' as const, text: 'Attached', inReplyToExternalId: statusId, media: [{ filename: 'a.png', contentType: 'image/png', bytes: png }] };
    const uploadsBefore = server.media.length;
    server.failNext('/api/v1/statuses', 503, {}, { method: 'POST' });
    await expect(adapter().send(message)).rejects.toMatchObject({ retryable: true });
    const first = await adapter().send(message);
    const again = await adapter().send(message);
    expect(again.platformMessageId).toBe(first.platformMessageId);
    // Each attempt uploaded the file; one status exists, carrying the file of the attempt that created it.
    expect(server.media.length - uploadsBefore).toBe(3);
    expect(server.media.filter((m) => m.attachedTo === first.platformMessageId).length).toBe(1);
    expect(server.media.slice(uploadsBefore).filter((m) => m.attachedTo !== null).length).toBe(1);
  });

  it('refuses more than four files before uploading anything', async () => {
    const before = server.media.length;
    const files = Array.from({ length: 5 }, (_, i) => ({ filename: `${i}.png`, contentType: 'image/png', bytes: png }));
    await expect(adapter().send({ idempotencyKey: 'm-4', channelId: 'ch-m', kind: 'reply', text: 'x', media: files })).rejects.toMatchObject({ retryable: false, platformCode: 'too_many_media' });
    expect(server.media.length).toBe(before);
  });
});
