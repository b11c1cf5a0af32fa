import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../port.js';
import { createFakeTelephony } from './fake-telephony.js';
import { createPhoneAdapter } from './phone.connector.js';

const secret = 'telephony-signing-secret-0123456789';
const now = Date.parse('2026-03-02T10:00:00Z');
const adapterWith = (config: Record<string, unknown> = {}) => createPhoneAdapter({ id: 'ch-p', platform: 'phone', config: { defaultCountry: 'GB', ...config }, credentials: { signingSecret: secret }, ownAccountIds: [] }, undefined, () => now);
const telephony = createFakeTelephony(secret);
const call = { type: 'call' as const, callId: 'c-1', from: '07911 123456', callerName: 'Jane Doe', status: 'answered' as const, startedAt: '2026-03-02T09:58:00Z', durationSeconds: 192, agent: 'Sam', notes: 'Router replaced', direction: 'inbound' as const };
const voicemail = { type: 'voicemail' as const, callId: 'c-1', from: '+44 7911 123456', recordedAt: '2026-03-02T09:59:00Z', durationSeconds: 30, transcript: 'Please call me back about my bill', recordingUrl: 'https://pbx.example/rec/c-1.mp3' };

describe('phone adapter', () => {
  it('maps a call log and its voicemail to private envelopes keyed by the E.164 caller, the voicemail answering its call', async () => {
    const result = await adapterWith().handleWebhook!(telephony.delivery([call, voicemail], now));
    if (result.type !== 'events') throw new Error(JSON.stringify(result));
    const [log, vm] = result.envelopes;
    expect(log).toMatchObject({ externalId: 'call:c-1', kind: 'call', visibility: 'private', threadKey: 'caller:+447911123456', author: { platformId: '+447911123456', displayName: 'Jane Doe', phone: null } });
    expect(log?.text).toMatch(/answered by Sam, 3 min 12 s\.\n\nRouter replaced/);
    expect(vm).toMatchObject({ externalId: 'voicemail:c-1', inReplyTo: 'call:c-1', threadKey: 'caller:+447911123456', text: 'Please call me back about my bill' });
    expect(vm?.attachments[0]?.url).toBe('https://pbx.example/rec/c-1.mp3');
  });

  it('marks the number a verified contact only when the channel or an A attestation vouches for it', async () => {
    const trusted = await adapterWith({ callerIdVerified: true }).handleWebhook!(telephony.delivery(call, now));
    const attested = await adapterWith().handleWebhook!(telephony.delivery({ ...call, attestation: 'A' }, now));
    const partial = await adapterWith().handleWebhook!(telephony.delivery({ ...call, attestation: 'B' }, now));
    for (const [result, phone] of [[trusted, '+447911123456'], [attested, '+447911123456'], [partial, null]] as const) {
      expect(result.type === 'events' && result.envelopes[0]?.author.phone).toBe(phone);
    }
  });

  it('keeps a withheld caller in a thread of its own call', async () => {
    const result = await adapterWith().handleWebhook!(telephony.delivery({ ...call, from: 'anonymous', status: 'missed', notes: undefined }, now));
    expect(result.type === 'events' && result.envelopes[0]).toMatchObject({ author: { platformId: 'withheld:c-1', handle: null }, threadKey: 'call:c-1', text: 'Missed call from a withheld number.' });
  });

  it('refuses a delivery outside the replay window, a replayed timestamp with a new body, and names a bad field', async () => {
    const adapter = adapterWith({ replayWindowSeconds: 300 });
    const stale = await adapter.handleWebhook!(telephony.delivery(call, now - 301_000));
    expect(stale).toMatchObject({ type: 'rejected', status: 401, reason: expect.stringMatching(/replay window/) });
    const good = telephony.delivery(call, now);
    const swapped = { ...good, headers: { ...good.headers, 'x-parley-timestamp': String(Math.floor(now / 1000) + 1) } };
    expect(await adapter.handleWebhook!(swapped)).toMatchObject({ type: 'rejected', status: 401 });
    const bad = await adapter.handleWebhook!(telephony.delivery({ ...call, startedAt: 'yesterday' }, now));
    expect(bad).toMatchObject({ type: 'rejected', status: 400, reason: expect.stringMatching(/startedAt/) });
  });

  it('refuses to send, permanently, saying to call back', async () => {
    const error = await adapterWith().send({ idempotencyKey: 'k', channelId: 'ch-p', kind: 'dm', text: 'hi', recipient: { platformId: '+447911123456', handle: '+44 7911 123456' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ retryable: false, platformCode: 'phone_no_outbound' });
    expect((error as Error).message).toMatch(/Call the customer back.*\+44 7911 123456/s);
  });

  it('refuses to build without a signing secret, naming the key and not the value', () => {
    expect(() => createPhoneAdapter({ id: 'c', platform: 'phone', config: {}, credentials: { signingSecret: 'short' }, ownAccountIds: [] })).toThrow(/signingSecret/);
  });
});
