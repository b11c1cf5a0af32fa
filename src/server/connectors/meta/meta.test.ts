import { afterEach, describe, expect, it } from 'vitest';
import { envelopeSchema } from '../../../shared/envelope.js';
import { ConnectorError } from '../port.js';
import type { ChannelAdapter } from '../port.js';
import { facebookFeedComment, instagramMention, metaMessagingEvent } from './fake-payloads.js';
import { startMetaFakeServer } from './fake-server.js';
import type { MetaFakeServer } from './fake-server.js';
import { createFacebookAdapter } from './facebook.connector.js';
import { createInstagramAdapter } from './instagram.connector.js';
import { createMemoryCredentialStore } from '../contract/memory-credentials.js';

const pageId = '1122334455';
const igUserId = '17841400000000001';
let fake: MetaFakeServer | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

function facebookAdapter(server: MetaFakeServer, config: Record<string, unknown> = {}): ChannelAdapter {
  return createFacebookAdapter({
    id: 'ch-fb',
    platform: 'facebook',
    config: { graphBaseUrl: server.url, pageId, ...config },
    credentials: { accessToken: server.accessToken, appSecret: server.appSecret, verifyToken: server.verifyToken },
    ownAccountIds: [],
  });
}

async function facebook(config: Record<string, unknown> = {}): Promise<{ fake: MetaFakeServer; adapter: ChannelAdapter }> {
  fake = await startMetaFakeServer();
  return { fake, adapter: facebookAdapter(fake, config) };
}

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
const dm = (lastInboundAt: string) => ({ idempotencyKey: 'k', channelId: 'ch-fb', kind: 'dm' as const, text: 'hello', recipient: { platformId: 'PSID1' }, lastInboundAt });

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

describe('Messenger messaging windows', () => {
  it('answers inside 24 h as RESPONSE and up to 7 days with the HUMAN_AGENT tag', async () => {
    const { fake, adapter } = await facebook();
    await adapter.send(dm(hoursAgo(2)));
    await adapter.send(dm(hoursAgo(60)));
    expect(fake.sent.map((s) => [s.body.messaging_type, s.body.tag])).toEqual([
      ['RESPONSE', undefined],
      ['MESSAGE_TAG', 'HUMAN_AGENT'],
    ]);
  });

  it('refuses clearly outside the windows without calling Meta', async () => {
    const { fake, adapter } = await facebook();
    const late = await failure(adapter.send(dm(hoursAgo(24 * 8))));
    expect(late.retryable).toBe(false);
    expect(late.message).toMatch(/192 hours ago.*7 days/);
    const strict = facebookAdapter(fake, { humanAgentTag: false });
    const error = await failure(strict.send(dm(hoursAgo(30))));
    expect(error.message).toMatch(/within 24 hours/);
    expect(fake.sent).toEqual([]);
  });

  it('maps Graph 10/2018278 (outside window) to a permanent error', async () => {
    const { fake, adapter } = await facebook();
    fake.failNext('/messages', { status: 400, body: { error: { message: 'This message is sent outside of allowed window.', type: 'OAuthException', code: 10, error_subcode: 2018278 } } });
    const error = await failure(adapter.send(dm(hoursAgo(1))));
    expect(error).toMatchObject({ retryable: false, platformCode: '10/2018278' });
    expect(error.message).toMatch(/outside the allowed messaging window/);
  });

  it('sends one private reply per comment and refuses comments older than 7 days', async () => {
    const { fake, adapter } = await facebook();
    const privateReply = { idempotencyKey: 'p', channelId: 'ch-fb', kind: 'dm' as const, text: 'DM us', inReplyToExternalId: '987_1', lastInboundAt: hoursAgo(30) };
    await adapter.send(privateReply);
    expect(fake.sent[0]?.body.recipient).toEqual({ comment_id: '987_1' });
    expect((await failure(adapter.send(privateReply))).retryable).toBe(false);
    expect((await failure(adapter.send({ ...privateReply, inReplyToExternalId: '987_2', lastInboundAt: hoursAgo(24 * 9) }))).message).toMatch(/within 7 days/);
  });
});

describe('Meta usage pacing', () => {
  it('stops calling once X-App-Usage nears 100% and reports a retryable pause', async () => {
    const { fake, adapter } = await facebook({ pauseAbovePercent: 90 });
    fake.usagePercent = 92;
    await adapter.send(dm(hoursAgo(1)));
    const error = await failure(adapter.send(dm(hoursAgo(1))));
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBeGreaterThan(60_000);
    expect(fake.sent).toHaveLength(1);
  });
});

describe('Meta webhooks', () => {
  it('verifies raw bytes with escaped non-ASCII and ignores other Pages of the same app', async () => {
    const { fake, adapter } = await facebook();
    const mine = facebookFeedComment({ pageId, postId: `${pageId}_1`, commentId: '1_2', from: { id: '99', name: 'Zoë' }, message: 'café / crème', verb: 'add' });
    const request = fake.signedDelivery({ ...mine, entry: [...(mine.entry as unknown[]), ...(facebookFeedComment({ pageId: '777', postId: '777_1', commentId: '1_3', from: { id: '98', name: 'x' }, message: 'other page', verb: 'add' }).entry as unknown[])] });
    expect(request.rawBody.toString()).toContain('caf\\u00e9 \\/ cr\\u00e8me');
    const result = await adapter.handleWebhook!(request);
    expect(result.type).toBe('events');
    if (result.type !== 'events') return;
    expect(result.envelopes.map((e) => [e.externalId, e.text, e.author.displayName, e.kind])).toEqual([['1_2', 'café / crème', 'Zoë', 'comment']]);
  });

  it('fetches the text of an Instagram @mention from the Graph API', async () => {
    fake = await startMetaFakeServer();
    fake.mentionedComments.set('c55', { id: 'c55', text: '@acme my parcel is lost', username: 'jane', timestamp: '2026-11-20T10:00:00+0000', mediaId: 'm1' });
    const adapter = createInstagramAdapter({
      id: 'ch-ig',
      platform: 'instagram',
      config: { graphBaseUrl: fake.url, igUserId },
      credentials: { accessToken: fake.accessToken, appSecret: fake.appSecret },
      ownAccountIds: [],
    });
    const result = await adapter.handleWebhook!(fake.signedDelivery(instagramMention(igUserId, 'm1', 'c55')));
    expect(result.type).toBe('events');
    if (result.type !== 'events') return;
    const [envelope] = result.envelopes;
    expect(envelopeSchema.parse(envelope)).toMatchObject({ externalId: 'c55', text: '@acme my parcel is lost', author: { handle: 'jane' }, createdAt: '2026-11-20T10:00:00.000Z', threadKey: 'm1' });
  });

  it('drops Messenger reads and deliveries and maps an Instagram unsend to a deletion', async () => {
    fake = await startMetaFakeServer();
    const adapter = createInstagramAdapter({ id: 'ch-ig', platform: 'instagram', config: { graphBaseUrl: fake.url, igUserId }, credentials: { accessToken: fake.accessToken, appSecret: fake.appSecret }, ownAccountIds: [] });
    const read = { object: 'instagram', entry: [{ id: igUserId, time: Date.now(), messaging: [{ sender: { id: '5' }, recipient: { id: igUserId }, timestamp: Date.now(), read: { mid: 'x' } }] }] };
    expect(await adapter.handleWebhook!(fake.signedDelivery(read))).toEqual({ type: 'events', envelopes: [], deletions: [] });
    const unsend = metaMessagingEvent({ object: 'instagram', ownId: igUserId, senderId: '5', recipientId: igUserId, mid: 'aWdf1', isDeleted: true });
    expect(await adapter.handleWebhook!(fake.signedDelivery(unsend))).toEqual({ type: 'events', envelopes: [], deletions: [{ channelId: 'ch-ig', externalId: 'aWdf1' }] });
  });
});

describe('Instagram-Login token refresh', () => {
  const day = 24 * 3_600_000;
  const build = (server: MetaFakeServer, store: ReturnType<typeof createMemoryCredentialStore>) =>
    createInstagramAdapter({ id: 'ch-ig', platform: 'instagram', config: { graphBaseUrl: server.url, igUserId }, credentials: store.current, ownAccountIds: [], credentialStore: store });
  const dm = (n: number) => ({ idempotencyKey: `ig-${n}`, channelId: 'ch-ig', kind: 'dm' as const, text: `we are on it (${n})`, recipient: { platformId: '9001' }, lastInboundAt: new Date().toISOString() });

  it('refreshes a 60-day token within ten days of expiry, stores the new one, and leaves a fresh or page token alone', async () => {
    fake = await startMetaFakeServer();
    const fresh = createMemoryCredentialStore({ accessToken: fake.accessToken, accessTokenExpiresAt: Date.now() + 50 * day, accessTokenIssuedAt: Date.now() - 10 * day });
    await build(fake, fresh).send(dm(1));
    const page = createMemoryCredentialStore({ accessToken: fake.accessToken });
    await build(fake, page).send(dm(2));
    expect(fake.tokenRefreshes).toEqual([]);

    const ageing = createMemoryCredentialStore({ accessToken: fake.accessToken, accessTokenExpiresAt: Date.now() + 5 * day, accessTokenIssuedAt: Date.now() - 55 * day });
    const adapter = build(fake, ageing);
    await Promise.all([adapter.send(dm(3)), adapter.send(dm(4))]);
    expect(fake.tokenRefreshes).toEqual([fake.accessToken]);
    expect(ageing.current.accessToken).toBe('IGQ-refreshed-1');
    expect(ageing.current.accessTokenExpiresAt as number).toBeGreaterThan(Date.now() + 59 * day);
    // Restarted from the stored token: nothing due, nothing refreshed again.
    await build(fake, ageing).send(dm(5));
    expect(fake.tokenRefreshes).toHaveLength(1);
    expect(fake.sent).toHaveLength(5);
  });

  it('keeps sending on the current token when a refresh fails', async () => {
    fake = await startMetaFakeServer();
    fake.failNext('/refresh_access_token', { status: 500, body: { error: { message: 'unavailable', code: 2 } } });
    const store = createMemoryCredentialStore({ accessToken: fake.accessToken, accessTokenExpiresAt: Date.now() + 2 * day, accessTokenIssuedAt: Date.now() - 58 * day });
    await build(fake, store).send(dm(1));
    expect(store.saves).toEqual([]);
    expect(fake.sent).toHaveLength(1);
  });
});
