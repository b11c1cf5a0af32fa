import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aaaDirectMessage, aaaTweetCreate, fakeBrand, fakeCustomer } from './fake-payloads.js';
import { handleXWebhook, xCrcResponseToken } from './webhook.js';

const secret = 'consumer-secret';
const sign = (body: Buffer) => `sha256=${createHmac('sha256', secret).update(body).digest('base64')}`;

describe('handleXWebhook', () => {
  it('answers the CRC with the base64 HMAC of the token', () => {
    const result = handleXWebhook({ method: 'GET', headers: {}, query: { crc_token: 'abc' }, rawBody: Buffer.alloc(0) }, { channelId: 'c', consumerSecret: secret });
    const expected = `sha256=${createHmac('sha256', secret).update('abc').digest('base64')}`;
    expect(xCrcResponseToken(secret, 'abc')).toBe(expected);
    expect(result).toEqual({ type: 'handshake', status: 200, contentType: 'application/json', body: JSON.stringify({ response_token: expected }) });
  });

  it('verifies over the raw bytes, not re-serialised JSON', () => {
    // Spacing and escapes that JSON.stringify would not reproduce.
    const rawBody = Buffer.from(`{ "for_user_id" : "${fakeBrand.id}", "tweet_create_events": [] , "x":"caf\\u00e9 \\/"}`);
    const result = handleXWebhook({ method: 'POST', headers: { 'X-Twitter-Webhooks-Signature': sign(rawBody) }, query: {}, rawBody }, { channelId: 'c', consumerSecret: secret });
    expect(result.type).toBe('events');
  });

  it('ignores deliveries for another subscribed account and drops DM echoes from our app', () => {
    const other = aaaTweetCreate([{ id: '1800000000000000001', text: 'hi', author: fakeCustomer }], { ...fakeBrand, id: '999' });
    const otherBody = Buffer.from(JSON.stringify(other));
    const config = { channelId: 'c', consumerSecret: secret, accountId: fakeBrand.id, ownAppId: '268278' };
    expect(handleXWebhook({ method: 'POST', headers: { 'x-twitter-webhooks-signature': sign(otherBody) }, query: {}, rawBody: otherBody }, config)).toEqual({ type: 'events', envelopes: [], deletions: [] });
    const echo = aaaDirectMessage({ id: '5', text: 'from us', sender: fakeBrand, recipient: fakeCustomer, sourceAppId: '268278' }, fakeBrand);
    const inbound = aaaDirectMessage({ id: '6', text: 'from them', sender: fakeCustomer, recipient: fakeBrand }, fakeBrand);
    for (const [payload, count] of [[echo, 0], [inbound, 1]] as const) {
      const body = Buffer.from(JSON.stringify(payload));
      const result = handleXWebhook({ method: 'POST', headers: { 'x-twitter-webhooks-signature': sign(body) }, query: {}, rawBody: body }, config);
      expect(result.type === 'events' ? result.envelopes.length : -1).toBe(count);
    }
  });
});
