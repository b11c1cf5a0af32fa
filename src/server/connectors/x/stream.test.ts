import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope } from '../../../shared/envelope.js';
import type { StreamSink } from '../port.js';
import { fakeBrand, fakeCustomer, fakeXId, v2StreamLine } from './fake-payloads.js';
import { startXFakeServer } from './fake-server.js';
import type { XFakeServer } from './fake-server.js';
import { createLineSplitter, runXFilteredStream } from './stream.js';
import { createXAdapter } from './x.connector.js';

let fake: XFakeServer | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

/** Waits until `check` holds, for up to 20 s: the stream, the fake server and the test share one busy machine. */
async function eventually(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

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
    // A second of silence, against heartbeats every 50 ms: a busy machine delaying a few heartbeats does not drop
    // the reconnected stream (and a post written to it) by mistake.
    const stream = await run(fake, 1000);
    await eventually(() => stream.health.some((h) => /no data or heartbeat/.test(h.detail ?? '')));
    // Heartbeats resume, so the reconnected stream stays up to carry the next post.
    fake.silenceStreams(false);
    await new Promise((r) => setTimeout(r, 100));
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
    // The held post goes out right after the connection's first heartbeat and before the next ones: once a second
    // heartbeat is in, the post has been read and handled.
    await eventually(() => recorder.health.filter((h) => h.type === 'keepalive').length > 1);
    controller.abort();
    await done;
    expect(recorder.envelopes).toEqual([]);
    expect(recorder.health.filter((h) => h.type === 'keepalive').length).toBeGreaterThan(1);
  });
});

describe('X filtered stream catch-up after a disconnect', () => {
  async function adapterStream(server: XFakeServer, recovery: 'search' | 'backfill', cursor: string | null) {
    const adapter = createXAdapter({
      id: 'ch-x',
      platform: 'x',
      config: { baseUrl: server.url, accountId: fakeBrand.id, recovery, keepAliveTimeoutMs: 3000, backoff: { networkStartMs: 10, httpStartMs: 20, rateLimitStartMs: 30, httpCapMs: 500 } },
      credentials: { bearerToken: server.bearerToken },
      ownAccountIds: [],
    });
    const controller = new AbortController();
    const recorder = recordingSink();
    let saved: string | null = cursor;
    const sink: StreamSink = { ...recorder.sink, deliver: async (e, d, c) => { saved = c; await recorder.sink.deliver(e, d, c); } };
    const done = adapter.stream!(sink, cursor, controller.signal);
    return { ...recorder, cursor: () => saved, stop: async () => { controller.abort(); await done; } };
  }
  const mention = (text: string) => v2StreamLine({ id: fakeXId(), text: `@acme ${text}`, author: fakeCustomer });
  const idOf = (line: Record<string, unknown>) => (line.data as { id: string }).id;
  // A hang names the step it hung at, with what the stream reported.
  const within = async (what: string, stream: { received(n: number): Promise<void>; health: unknown[]; envelopes: unknown[] }, n: number) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: ${stream.envelopes.length} envelopes; health ${JSON.stringify(stream.health.slice(-8))}; searches ${JSON.stringify(fake?.searches)}`)), 15_000);
    });
    try {
      await Promise.race([stream.received(n), late]);
    } finally {
      clearTimeout(timer);
    }
  };

  it('recovers posts made while disconnected through search/recent since the newest stored id, once each, also across a restart', async () => {
    fake = await startXFakeServer({ keepAliveMs: 100, holdWhileDisconnected: false });
    fake.rules.push({ id: fakeXId(), value: '@acme', tag: 'parley:brand' }, { id: fakeXId(), value: 'acme outage', tag: 'parley:listen' });
    const first = await adapterStream(fake, 'search', null);
    await eventually(() => fake!.streamConnections === 1);
    const p1 = mention('one');
    fake.pushStreamLine(p1);
    await within('p1', first, 1);

    // X drops us; what is posted before we are back never reaches the stream.
    fake.disconnectStreams();
    const gap = [mention('two'), mention('three')];
    for (const line of gap) fake.pushStreamLine(line);
    await within('the gap', first, 3);
    await eventually(() => fake!.streamConnections === 1);
    const p4 = mention('four');
    fake.pushStreamLine(p4);
    await within('p4', first, 4);
    await first.stop();
    expect(first.envelopes.map((e) => e.externalId)).toEqual([p1, ...gap, p4].map(idOf));
    expect(fake.searches).toEqual([{ query: '(@acme) OR (acme outage)', sinceId: idOf(p1) }]);
    expect(first.cursor()).toBe(idOf(p4));

    // The scheduler restarts from the saved cursor: only what came after it.
    await eventually(() => fake!.streamConnections === 0);
    const whileDown = mention('five');
    fake.pushStreamLine(whileDown);
    const second = await adapterStream(fake, 'search', first.cursor());
    await within('after the restart', second, 1);
    await new Promise((r) => setTimeout(r, 100));
    await second.stop();
    expect(second.envelopes.map((e) => e.externalId)).toEqual([idOf(whileDown)]);
    expect(fake.searches.at(-1)?.sinceId).toBe(idOf(p4));
  });

  it('asks the stream itself to backfill a short gap (backfill_minutes) when the tier has it', async () => {
    fake = await startXFakeServer({ keepAliveMs: 100, holdWhileDisconnected: false });
    fake.rules.push({ id: fakeXId(), value: '@acme', tag: 'parley:brand' });
    const stream = await adapterStream(fake, 'backfill', null);
    await eventually(() => fake!.streamConnections === 1);
    const p1 = mention('one');
    fake.pushStreamLine(p1);
    await stream.received(1);
    fake.disconnectStreams();
    const p2 = mention('two');
    fake.pushStreamLine(p2);
    await eventually(() => stream.envelopes.some((e) => e.externalId === idOf(p2)));
    await stream.stop();
    expect(fake.streamBackfills).toEqual([null, 1]);
    expect(fake.searches).toEqual([]);
    // The replayed minute repeats p1 on the wire; ingest dedupes on (channel, externalId), so the set is what counts.
    expect([...new Set(stream.envelopes.map((e) => e.externalId))].sort()).toEqual([idOf(p1), idOf(p2)].sort());
  });

  it('reports a gap it cannot recover on a tier without search, and goes live instead of stalling', async () => {
    fake = await startXFakeServer({ keepAliveMs: 100, holdWhileDisconnected: false });
    fake.rules.push({ id: fakeXId(), value: '@acme', tag: 'parley:brand' });
    fake.failNext('/2/tweets/search/recent', { status: 403, body: { title: 'Client Forbidden', detail: 'This endpoint is not available on your access level.', status: 403 } });
    const stream = await adapterStream(fake, 'search', fakeXId(Date.now() - 60_000));
    await eventually(() => fake!.streamConnections === 1);
    fake.pushStreamLine(mention('live'));
    await stream.received(1);
    await stream.stop();
    expect(stream.health.some((h) => h.type === 'error' && /could not be recovered/.test(h.detail ?? ''))).toBe(true);
  });
});
