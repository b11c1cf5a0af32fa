import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeSchema } from '../../../shared/envelope.js';
import type { Envelope } from '../../../shared/envelope.js';
import { ConnectorError } from '../port.js';
import type { ChannelAdapter, Cursor, WebhookRequest } from '../port.js';
import { collectInbound } from './collect.js';
import type { ContractFixture, ContractSetup } from './types.js';

export type { ContractEvent, ContractFixture, ContractSetup, InboundDriver, SendFailure, Collected } from './types.js';
export { collectInbound } from './collect.js';

function withoutHeader(request: WebhookRequest, name: string): WebhookRequest {
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([key]) => key.toLowerCase() !== name));
  return { ...request, headers };
}

/** Same headers, one byte of the body changed: the signature no longer matches. */
function tampered(request: WebhookRequest): WebhookRequest {
  const body = Buffer.from(request.rawBody);
  const quote = body.indexOf('"');
  const index = quote >= 0 && quote + 1 < body.length ? quote + 1 : 0;
  body[index] = (body[index] ?? 0) ^ 0x01;
  return { ...request, rawBody: body };
}

async function sendError(adapter: ChannelAdapter, message: Parameters<ChannelAdapter['send']>[0]): Promise<ConnectorError> {
  try {
    await adapter.send(message);
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw new Error(`send threw a non-ConnectorError: ${String(error)}`);
  }
  throw new Error('send succeeded although the fake was told to fail');
}

/**
 * The behaviour every channel adapter owes the pipeline and the outbox, run against the
 * adapter's own fake server. Call it at the top level of the adapter's `*.contract.test.ts`.
 */
export function runAdapterContract(name: string, setup: ContractSetup): void {
  describe(`${name} adapter contract`, () => {
    let fixture: ContractFixture;
    let adapter: ChannelAdapter;
    // One running cursor across the tests, as the pipeline keeps it: each collect resumes where the last stopped.
    let cursor: Cursor = null;

    async function collect(until: string[]) {
      const got = await collectInbound(fixture, adapter, { until, cursor });
      cursor = got.cursor;
      return got;
    }

    beforeAll(async () => {
      fixture = await setup();
      adapter = fixture.createAdapter();
    });
    afterAll(async () => {
      await fixture?.close();
    });

    async function publishAndCollect(text: string): Promise<Envelope> {
      const id = await fixture.publish({ type: 'message', text });
      const got = await collect([id]);
      const envelope = got.envelopes.find((e) => e.externalId === id);
      if (!envelope) throw new Error(`no envelope for ${id}; got ${got.envelopes.map((e) => e.externalId).join(', ')}`);
      return envelope;
    }

    it('maps an inbound message to a valid Envelope of this channel', async () => {
      const envelope = await publishAndCollect('my order #123 never arrived');
      const parsed = envelopeSchema.parse(envelope);
      expect(parsed.channelId).toBe(adapter.channelId);
      expect(parsed.text).toContain('my order #123 never arrived');
      expect(parsed.author.platformId.length).toBeGreaterThan(0);
      expect(Number.isNaN(Date.parse(parsed.createdAt))).toBe(false);
    });

    describe('webhook verification', () => {
      it('accepts a correctly signed delivery and rejects a bad or missing signature without emitting anything', async (ctx) => {
        const inbound = fixture.inbound;
        if (inbound.mode !== 'webhook') return ctx.skip();
        await fixture.publish({ type: 'message', text: 'signed delivery' });
        const [request] = await inbound.takeRequests();
        if (!request || !adapter.handleWebhook) throw new Error('the webhook fake produced no request');
        for (const forged of [tampered(request), withoutHeader(request, inbound.signatureHeader)]) {
          const result = await adapter.handleWebhook(forged);
          expect(result.type).toBe('rejected');
          expect('envelopes' in result).toBe(false);
        }
        const good = await adapter.handleWebhook(request);
        expect(good.type).toBe('events');
        if (good.type === 'events') expect(good.envelopes.length).toBe(1);
      });

      it('answers the platform handshake and refuses a forged one', async (ctx) => {
        const inbound = fixture.inbound;
        if (inbound.mode !== 'webhook' || !inbound.handshake || !adapter.handleWebhook) return ctx.skip();
        const good = await adapter.handleWebhook(inbound.handshake.good);
        expect(good).toMatchObject({ type: 'handshake', status: 200, body: inbound.handshake.expectBody });
        const bad = await adapter.handleWebhook(inbound.handshake.bad);
        expect(bad.type).toBe('rejected');
      });
    });

    it('suppresses the echo of our own send', async (ctx) => {
      if (!fixture.supports.echoes) return ctx.skip();
      const inbound = await publishAndCollect('please help');
      const [message] = fixture.outboundFor(inbound);
      if (!message) throw new Error('fixture gave no outbound message');
      const sent = await adapter.send(message);
      const echoId = await fixture.publish({ type: 'echo', sent, message });
      // A later customer message marks the point by which the echo must have been processed.
      const markerId = await fixture.publish({ type: 'message', text: 'after the echo' });
      const got = await collect([markerId]);
      const ids = got.envelopes.map((e) => e.externalId);
      expect(ids).toContain(markerId);
      expect(ids).not.toContain(echoId);
      expect(ids).not.toContain(sent.platformMessageId);
      expect(got.envelopes.some((e) => e.text === message.text)).toBe(false);
    });

    it('reports an edit under the original externalId with editedAt', async (ctx) => {
      if (!fixture.supports.edits) return ctx.skip();
      const original = await publishAndCollect('wrong text');
      await fixture.publish({ type: 'edit', of: original.externalId, text: 'corrected text' });
      const got = await collect([original.externalId]);
      const edit = got.envelopes.find((e) => e.externalId === original.externalId);
      expect(edit?.text).toContain('corrected text');
      expect(edit?.editedAt).toBeTruthy();
      expect(envelopeSchema.safeParse(edit).success).toBe(true);
    });

    it('reports a delete as a deletion of the original externalId', async (ctx) => {
      if (!fixture.supports.deletes) return ctx.skip();
      const original = await publishAndCollect('to be deleted');
      await fixture.publish({ type: 'delete', of: original.externalId });
      const got = await collect([original.externalId]);
      expect(got.deletions).toContainEqual({ channelId: adapter.channelId, externalId: original.externalId });
      expect(got.envelopes.some((e) => e.externalId === original.externalId)).toBe(false);
    });

    it('sends replies and returns the platform id', async (ctx) => {
      if (fixture.supports.sends === false) return ctx.skip();
      const inbound = await publishAndCollect('can someone answer me?');
      const messages = fixture.outboundFor(inbound);
      expect(messages.length).toBeGreaterThan(0);
      for (const message of messages) {
        const result = await adapter.send(message);
        expect(typeof result.platformMessageId).toBe('string');
        expect(result.platformMessageId.length).toBeGreaterThan(0);
      }
      const texts = await fixture.sentTexts();
      for (const message of messages) expect(texts.some((t) => t.includes(message.text))).toBe(true);
    });

    it('keeps sending across an access-token expiry by refreshing it', async (ctx) => {
      if (!fixture.expireAccess) return ctx.skip();
      const inbound = await publishAndCollect('reply after the token lapses');
      const [message] = fixture.outboundFor(inbound);
      if (!message) throw new Error('fixture gave no outbound message');
      const refreshes = await fixture.expireAccess();
      const before = refreshes();
      const result = await adapter.send(message);
      expect(result.platformMessageId.length).toBeGreaterThan(0);
      expect(refreshes()).toBeGreaterThan(before);
      expect((await fixture.sentTexts()).some((t) => t.includes(message.text))).toBe(true);
    });

    it('turns a rate limit into a retryable ConnectorError with the platform retry-after', async (ctx) => {
      if (fixture.supports.sends === false || fixture.supports.sendFailures === false) return ctx.skip();
      const inbound = await publishAndCollect('rate limited reply');
      const [message] = fixture.outboundFor(inbound);
      if (!message) throw new Error('fixture gave no outbound message');
      const expected = await fixture.failNextSend('rate-limit');
      const error = await sendError(adapter, message);
      expect(error.retryable).toBe(true);
      expect(expected).not.toBeNull();
      // Reset headers have one-second resolution, so allow the rounding on either side.
      expect(error.retryAfterMs).not.toBeNull();
      expect(Math.abs((error.retryAfterMs ?? 0) - (expected ?? 0))).toBeLessThanOrEqual(2000);
      // An adapter may rightly hold back every call until the limit resets; later tests use a fresh one.
      adapter = fixture.createAdapter();
    });

    it('turns a permanent platform error into a non-retryable ConnectorError with a readable reason', async (ctx) => {
      if (fixture.supports.sendFailures === false && fixture.supports.sends !== false) return ctx.skip();
      const inbound = await publishAndCollect('permanent failure reply');
      const [message] = fixture.outboundFor(inbound);
      if (!message) throw new Error('fixture gave no outbound message');
      // A channel that cannot send refuses every message permanently; the others are told to fail this one.
      if (fixture.supports.sends !== false) await fixture.failNextSend('permanent');
      const error = await sendError(adapter, message);
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(fixture.permanentReason);
    });

    it('resumes from a saved cursor after a restart without losing or repeating messages', async (ctx) => {
      if (!fixture.supports.cursor) return ctx.skip();
      const first = [await fixture.publish({ type: 'message', text: 'before restart 1' }), await fixture.publish({ type: 'message', text: 'before restart 2' })];
      const before = await collect(first);
      expect(before.cursor).not.toBeNull();
      const second = [await fixture.publish({ type: 'message', text: 'after restart 1' }), await fixture.publish({ type: 'message', text: 'after restart 2' })];
      const restarted = fixture.createAdapter();
      const after = await collectInbound(fixture, restarted, { until: second, cursor: before.cursor });
      const ids = after.envelopes.map((e) => e.externalId);
      expect(ids).toEqual(expect.arrayContaining(second));
      for (const id of first) expect(ids).not.toContain(id);
      expect(new Set(ids).size).toBe(ids.length);
      adapter = restarted;
      cursor = after.cursor;
    });
  });
}
