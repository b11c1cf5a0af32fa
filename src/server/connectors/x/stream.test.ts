import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope } from '../../../shared/envelope.js';
import type { StreamSink } from '../port.js';
import { fakeCustomer, fakeXId, v2StreamLine } from './fake-payloads.js';
import { startXFakeServer } from './fake-server.js';
import type { XFakeServer } from './fake-server.js';
import { createLineSplitter, runXFilteredStream } from './stream.js';

let fake: XFakeServer | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

function recordingSink() {
  const envelopes: Envelope[] = [];
  const health: { type: string; detail?: string }[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const sink: StreamSink = {
    async deliver(batch) {
      envelopes.push(...batch);
      for (const w of waiters) if (envelopes.length >= w.count) w.resolve();
    },
    health: (event) => health.push(event),
  };
  const received = (count: number) =>
    new Promise<void>((resolve) => (envelopes.length >= count ? resolve() : waiters.push({ count, resolve })));
  return { sink, envelopes, health, received };
}

async function run(server: XFakeServer, keepAliveTimeoutMs = 3000) {
  const controller = new AbortController();
  const recorder = recordingSink();
  const done = runXFilteredStream(
    {
      url: `${server.url}/2/tweets/search/stream`,
      bearerToken: server.bearerToken,
      channelId: 'ch-x',
      keepAliveTimeoutMs,
      backoff: { networkStartMs: 10, httpStartMs: 20, rateLimitStartMs: 30, httpCapMs: 500 },
    },
    recorder.sink,
    controller.signal,
  );
  return { ...recorder, stop: async () => { controller.abort(); await done; } };
}

const post = (text: string) => v2StreamLine({ id: fakeXId(), text, author: fakeCustomer });

describe('createLineSplitter', () => {
  it('reassembles objects cut across chunks and yields empty heartbeats', () => {
    const split = createLineSplitter();
    expect(split('{"a":')).toEqual([]);
    expect(split('1}\r\n\r\n{"b"')).toEqual(['{"a":1}', '']);
    expect(split(':2}\r\n')).toEqual(['{"b":2}']);
  });
});

describe('runXFilteredStream', () => {
  it('reconnects after an operational disconnect and keeps delivering', async () => {
    fake = await startXFakeServer({ keepAliveMs: 100 });
    const stream = await run(fake);
    fake.pushStreamLine(post('first'));
    await stream.received(1);
    fake.disconnectStreams();
    fake.pushStreamLine(post('second'));
    await stream.received(2);
    await stream.stop();
    expect(stream.envelopes.map((e) => e.text)).toEqual(['first', 'second']);
    expect(stream.health.some((h) => h.type === 'disconnected' && h.detail === 'UpstreamOperationalDisconnect')).toBe(true);
    expect(stream.health.filter((h) => h.type === 'connected').length).toBeGreaterThanOrEqual(2);
  });

  it('treats silence beyond the keep-alive timeout as a dead connection', async () => {
    fake = await startXFakeServer({ keepAliveMs: 50 });
    fake.silenceStreams();
    const stream = await run(fake, 200);
    await new Promise((r) => setTimeout(r, 700));
    fake.pushStreamLine(post('after stall'));
    await stream.received(1);
    await stream.stop();
    expect(stream.health.some((h) => h.type === 'disconnected' && /no data or heartbeat/.test(h.detail ?? ''))).toBe(true);
  });

  it('backs off and retries when the connection is refused with 429', async () => {
    fake = await startXFakeServer({ keepAliveMs: 100 });
    fake.failNext('/2/tweets/search/stream', { status: 429, body: { title: 'ConnectionException', detail: 'TooManyConnections', status: 429 } });
    fake.pushStreamLine(post('eventually'));
    const stream = await run(fake);
    await stream.received(1);
    await stream.stop();
    expect(stream.health[0]).toMatchObject({ type: 'error' });
    expect(stream.health[0]?.detail).toContain('429');
  });

  it('counts heartbeats and drops our own posts', async () => {
    fake = await startXFakeServer({ keepAliveMs: 20 });
    const controller = new AbortController();
    const recorder = recordingSink();
    const done = runXFilteredStream(
      { url: `${fake.url}/2/tweets/search/stream`, bearerToken: fake.bearerToken, channelId: 'ch-x', mapOptions: { ownUserIds: [fakeCustomer.id] } },
      recorder.sink,
      controller.signal,
    );
    fake.pushStreamLine(post('ours'));
    await new Promise((r) => setTimeout(r, 150));
    controller.abort();
    await done;
    expect(recorder.envelopes).toEqual([]);
    expect(recorder.health.filter((h) => h.type === 'keepalive').length).toBeGreaterThan(1);
  });
});
