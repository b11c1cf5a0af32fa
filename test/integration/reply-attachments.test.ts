import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelAdapter, OutboundMessage } from '../../src/server/connectors/port.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';
import { createChannel, createTestApp, createUser, envelope, parseEnvelopes, tokenFor, type TestApp } from '../support/test-app.js';
import { jpeg, mp4, multipartBody, pdf, png } from '../support/media-files.js';
import { createManualClock } from '../../src/server/platform/clock.js';
import { createAttachmentsService } from '../../src/server/services/attachments.service.js';

const pgAvailable = await isPostgresAvailable();

describe.each(dialects)('replies with attachments on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  let xChannel: string;
  let fbChannel: string;
  let agent: string;
  const sent: OutboundMessage[] = [];

  const recording = (channel: { id: string; platform: string }): ChannelAdapter => ({
    platform: channel.platform as ChannelAdapter['platform'],
    channelId: channel.id,
    async send(message) {
      sent.push(message);
      return { platformMessageId: `p-${sent.length}` };
    },
  });

  const ingest = async (channelId: string, text: string, over: Parameters<typeof envelope>[1] = {}) => {
    const e = envelope(channelId, { text, ...over });
    await app.services.ingest(parseEnvelopes([e]));
    await app.worker.drain();
    const [stored] = await app.repos.messages.findByExternalIds(channelId, [e.externalId]);
    return stored!.conversationId!;
  };

  const upload = async (filename: string, data: Buffer): Promise<string> => {
    const { payload, contentType } = multipartBody([{ name: 'file', filename, data }]);
    const res = await app.http.inject({ method: 'POST', url: '/api/v1/attachments', payload, headers: { authorization: `Bearer ${agent}`, 'content-type': contentType } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };

  const reply = (conversationId: string, body: Record<string, unknown>) =>
    app.http.inject({ method: 'POST', url: `/api/v1/conversations/${conversationId}/reply`, payload: body, headers: { authorization: `Bearer ${agent}` } });

  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect, { adapterFor: recording });
    xChannel = (await createChannel(app, 'x')).id;
    fbChannel = (await createChannel(app, 'facebook', ['888'])).id;
    agent = await tokenFor(app, (await createUser(app, 'agent', { status: 'online' })).id);
  });
  afterAll(async () => app?.dispose());

  it.skipIf(skip)('keeps the ids on the outbox row and hands the bytes to the adapter at send time', async () => {
    const conversationId = await ingest(xChannel, 'the app crashes on login');
    const [a, b] = [await upload('one.png', png()), await upload('two.jpg', jpeg())];
    const res = await reply(conversationId, { text: 'Could you try this setting? See the screenshots.', attachmentIds: [a, b] });
    expect(res.statusCode, res.body).toBe(202);
    const row = (await app.repos.outbox.listForConversation(conversationId)).find((o) => o.messageId === res.json().messageId)!;
    expect((row.payload as { attachmentIds?: string[] }).attachmentIds).toEqual([a, b]);
    expect((await app.repos.attachments.metaOf([a, b])).map((m) => m.outboxId)).toEqual([row.id, row.id]);
    expect((await app.repos.messages.get(res.json().messageId))?.attachments).toEqual([
      { url: `/api/v1/attachments/${a}`, contentType: 'image/png', name: 'one.png', size: png().length },
      { url: `/api/v1/attachments/${b}`, contentType: 'image/jpeg', name: 'two.jpg', size: jpeg().length },
    ]);
    const detail = await app.http.inject({ method: 'GET', url: `/api/v1/conversations/${conversationId}`, headers: { authorization: `Bearer ${agent}` } });
    const shown = (detail.json().messages as { id: string; attachments: unknown[] }[]).find((m) => m.id === res.json().messageId);
    expect(shown?.attachments).toEqual([
      { url: `/api/v1/attachments/${a}`, contentType: 'image/png', name: 'one.png', size: png().length },
      { url: `/api/v1/attachments/${b}`, contentType: 'image/jpeg', name: 'two.jpg', size: jpeg().length },
    ]);
    // A purge of day-old unused files leaves them alone: a reply took them.
    expect(await app.repos.attachments.purgeUnused(Date.now() + 60_000)).toBe(0);
    await app.outbox.drain();
    const delivered = sent.find((m) => m.idempotencyKey === row.idempotencyKey)!;
    expect(delivered.media?.map((m) => ({ filename: m.filename, contentType: m.contentType, same: m.bytes.equals(m.contentType === 'image/png' ? png() : jpeg()) }))).toEqual([
      { filename: 'one.png', contentType: 'image/png', same: true },
      { filename: 'two.jpg', contentType: 'image/jpeg', same: true },
    ]);
    // A text-only reply carries no media at all.
    const plain = await reply(conversationId, { text: 'Anything else?' });
    await app.outbox.drain();
    const row2 = (await app.repos.outbox.listForConversation(conversationId)).find((o) => o.messageId === plain.json().messageId)!;
    expect(sent.find((m) => m.idempotencyKey === row2.idempotencyKey)).not.toHaveProperty('media');
  });

  it.skipIf(skip)('refuses replies that break the channel media limits with 422 naming attachmentIds, queueing nothing', async () => {
    const conversationId = await ingest(xChannel, 'where is my refund');
    const before = (await app.repos.outbox.listForConversation(conversationId)).length;
    const expect422 = async (body: Record<string, unknown>, field = 'attachmentIds') => {
      const res = await reply(conversationId, body);
      expect(res.statusCode, res.body).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors).toEqual([expect.objectContaining({ field })]);
      return res.json();
    };
    const doc = await upload('refund.pdf', pdf());
    const problem = await expect422({ text: 'Here is the form', attachmentIds: [doc] });
    expect(problem.problems).toEqual([expect.objectContaining({ code: 'type', index: 0 })]);
    const video = await upload('howto.mp4', mp4());
    const image = await upload('shot.png', png());
    expect((await expect422({ text: 'Watch this', attachmentIds: [video, image] })).problems.map((p: { code: string }) => p.code)).toEqual(['not_alone']);
    const five = await Promise.all([1, 2, 3, 4, 5].map((i) => upload(`s${i}.png`, png())));
    expect((await expect422({ text: 'Screens', attachmentIds: five })).problems.map((p: { code: string }) => p.code)).toEqual(['too_many']);
    expect((await expect422({ text: 'Screens', attachmentIds: ['no-such-file'] })).missing).toEqual(['no-such-file']);
    await expect422({ text: 'Twice', attachmentIds: [image, image] });
    const eleven = await reply(conversationId, { text: 'Too many ids', attachmentIds: Array.from({ length: 11 }, (_, i) => `id${i}`) });
    expect(eleven.statusCode).toBe(400);
    expect(eleven.json().errors[0].field).toMatch(/^body\.attachmentIds/);
    expect((await app.repos.outbox.listForConversation(conversationId)).length).toBe(before);
    expect((await app.repos.attachments.metaOf([doc, video, image])).every((m) => m.outboxId === null)).toBe(true);
  });

  it.skipIf(skip)('takes one attachment in an X direct message', async () => {
    const conversationId = await ingest(xChannel, 'can you send me the form', { kind: 'dm', visibility: 'private' });
    const [a, b] = [await upload('a.png', png()), await upload('b.png', png())];
    const two = await reply(conversationId, { text: 'Here you go', attachmentIds: [a, b] });
    expect(two.statusCode, two.body).toBe(422);
    expect(two.json().errors).toEqual([expect.objectContaining({ field: 'attachmentIds' })]);
    const one = await reply(conversationId, { text: 'Here you go', attachmentIds: [a] });
    expect(one.statusCode, one.body).toBe(202);
  });

  it.skipIf(skip)('still runs the PII guard on the text, and refuses media where Parley sends text only', async () => {
    const conversationId = await ingest(xChannel, 'my card was charged twice');
    const image = await upload('shot.png', png());
    const blocked = await reply(conversationId, { text: 'Is your card 4111 1111 1111 1111?', attachmentIds: [image] });
    expect(blocked.statusCode).toBe(422);
    expect(blocked.json()).toMatchObject({ code: 'reply_blocked', errors: [{ field: 'text' }] });
    const fbConversation = await ingest(fbChannel, 'your shop is closed again');
    const fb = await reply(fbConversation, { text: 'Here is the new opening schedule', attachmentIds: [image] });
    expect(fb.statusCode, fb.body).toBe(422);
    expect(fb.json()).toMatchObject({ code: 'media_not_accepted', errors: [{ field: 'attachmentIds' }] });
    expect((await app.repos.attachments.metaOf([image]))[0]?.outboxId).toBeNull();
  });

  it.skipIf(skip)('dead-letters a reply whose file vanished instead of sending it without', async () => {
    const conversationId = await ingest(xChannel, 'internet down');
    const image = await upload('map.png', png());
    const res = await reply(conversationId, { text: 'This map shows the outage area', attachmentIds: [image] });
    expect(res.statusCode).toBe(202);
    await app.store.db.deleteFrom('attachments' as never).where('id' as never, '=', image as never).execute();
    await app.outbox.drain();
    const row = (await app.repos.outbox.listForConversation(conversationId)).find((o) => o.messageId === res.json().messageId)!;
    expect(sent.some((m) => m.idempotencyKey === row.idempotencyKey)).toBe(false);
    expect(row.status).toBe('dead');
    expect(row.lastError).toMatch(/attachment/);
  });
  it.skipIf(skip)('purges, on its timer, files no reply took within a day, and keeps those a reply took', async () => {
    const conversationId = await ingest(xChannel, 'my bill shows a roaming charge');
    const [taken, discarded] = [await upload('taken.png', png()), await upload('discarded.png', png())];
    expect((await reply(conversationId, { text: 'Here is the corrected bill.', attachmentIds: [taken] })).statusCode).toBe(202);
    // The worker's hourly timer, on a clock two days on and a 20 ms interval.
    const later = createManualClock(Date.now() + 2 * 86_400_000);
    const stop = createAttachmentsService({ repos: app.repos, clock: later }).startTimer(20);
    const deadline = Date.now() + 10_000;
    while ((await app.repos.attachments.get(discarded)) !== null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await stop();
    expect(await app.repos.attachments.get(discarded)).toBeNull();
    expect((await app.repos.attachments.get(taken))?.sha256).toBeTruthy();
  });
});
