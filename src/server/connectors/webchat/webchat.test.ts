import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../port.js';
import { createMemoryChatMailbox } from './mailbox.js';
import { issueVisitorToken, verifyVisitorToken, visitorTokenKey } from './visitor-token.js';
import { createWebchatAdapter } from './webchat.connector.js';

const appSecret = randomBytes(32);

describe('web chat visitor tokens', () => {
  it('prove a random visitor id for one channel only, and refuse tampering and other keys', () => {
    const key = visitorTokenKey(undefined, appSecret, 'ch-1');
    const { token, visitorId } = issueVisitorToken(key, 'ch-1');
    expect(visitorId).toMatch(/^[\w-]{22}$/);
    expect(verifyVisitorToken(key, 'ch-1', token)).toBe(visitorId);
    expect(issueVisitorToken(key, 'ch-1').visitorId).not.toBe(visitorId);
    // Another channel's key (derived per channel) and the same channel under its own sealed secret both refuse it.
    expect(verifyVisitorToken(visitorTokenKey(undefined, appSecret, 'ch-2'), 'ch-2', token)).toBeNull();
    expect(verifyVisitorToken(visitorTokenKey('a-channel-secret-of-at-least-32-chars!', appSecret, 'ch-1'), 'ch-1', token)).toBeNull();
    const [, id, mac] = token.split('.') as [string, string, string];
    const otherId = `${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}`;
    for (const forged of [`v1.${otherId}.${mac}`, `v2.${id}.${mac}`, `v1.${id}`, `${token}x`, '', 'v1..']) expect(verifyVisitorToken(key, 'ch-1', forged)).toBeNull();
  });
});

describe('web chat adapter', () => {
  const mailbox = createMemoryChatMailbox();
  const adapter = createWebchatAdapter({ id: 'ch-1', platform: 'chat', config: { allowedOrigins: ['https://shop.example'] }, credentials: {}, ownAccountIds: [] }, { chatMailbox: mailbox });

  it('delivers a reply into the visitor\'s mailbox once per idempotency key', async () => {
    const message = { idempotencyKey: 'k-1', channelId: 'ch-1', kind: 'chat' as const, text: 'On its way', recipient: { platformId: 'visitor-aaaaaaaaaaaaaa' } };
    const first = await adapter.send(message);
    const again = await adapter.send(message);
    expect(again.platformMessageId).toBe(first.platformMessageId);
    expect(mailbox.entries.filter((e) => e.direction === 'out')).toEqual([expect.objectContaining({ visitorId: 'visitor-aaaaaaaaaaaaaa', text: 'On its way', externalId: first.platformMessageId })]);
  });

  it('finds the visitor from the chat thread key, and refuses a reply that names none', async () => {
    await adapter.send({ idempotencyKey: 'k-2', channelId: 'ch-1', kind: 'chat', text: 'Hello again', threadKey: 'chat:visitor-bbbbbbbbbbbbbb' });
    expect(mailbox.entries.at(-1)?.visitorId).toBe('visitor-bbbbbbbbbbbbbb');
    const error = await adapter.send({ idempotencyKey: 'k-3', channelId: 'ch-1', kind: 'chat', text: 'lost' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ retryable: false, platformCode: 'no_recipient' });
  });

  it('says plainly when it runs without a mailbox, and when no site may embed it', async () => {
    const bare = createWebchatAdapter({ id: 'ch-2', platform: 'chat', config: {}, credentials: {}, ownAccountIds: [] });
    await expect(bare.send({ idempotencyKey: 'k', channelId: 'ch-2', kind: 'chat', text: 'x', recipient: { platformId: 'v' } })).rejects.toMatchObject({ retryable: false, platformCode: 'no_mailbox' });
    expect(await bare.test?.()).toMatchObject({ ok: false, detail: expect.stringMatching(/allowedOrigins/) });
  });

  it('rejects an origin with a path in its config, naming the key', () => {
    expect(() => createWebchatAdapter({ id: 'c', platform: 'chat', config: { allowedOrigins: ['https://shop.example/page'] }, credentials: {}, ownAccountIds: [] })).toThrow(/allowedOrigins\.0/);
  });
});
