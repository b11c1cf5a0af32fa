import type { Envelope } from '../../../shared/envelope.js';
import type { StreamSink } from '../port.js';
import type { FetchLike } from '../shared/http.js';
import { asArray, asRecord, asString } from '../shared/json.js';
import { parseRateLimitHeaders } from '../shared/rate-limit.js';
import { mapXV2StreamLine } from './map.js';
import type { XMapOptions } from './map.js';

/** Reconnect delays from the X filtered-stream guidance (CONNECTORS.md §1.3); configurable so tests run fast. */
export interface XBackoff {
  networkStartMs: number;
  networkCapMs: number;
  httpStartMs: number;
  httpCapMs: number;
  rateLimitStartMs: number;
}

export const xDefaultBackoff: XBackoff = {
  networkStartMs: 250,
  networkCapMs: 16_000,
  httpStartMs: 5_000,
  httpCapMs: 320_000,
  rateLimitStartMs: 60_000,
};

export interface XStreamOptions {
  /** Full stream URL with its expansions and fields. */
  url: string;
  bearerToken: string;
  channelId: string;
  mapOptions?: XMapOptions;
  /** Heartbeats come every ~20 s; silence beyond this means a dead connection. */
  keepAliveTimeoutMs?: number;
  backoff?: Partial<XBackoff>;
  fetch?: FetchLike;
}

type Outcome =
  | { kind: 'aborted' }
  | { kind: 'dropped'; receivedAnything: boolean; detail: string }
  | { kind: 'http'; status: number; retryAfterMs: number | null; detail: string };

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Splits the chunked body on `\r\n`: one chunk may end mid-object or hold several objects. */
export function createLineSplitter(): (chunk: string) => string[] {
  let buffer = '';
  return (chunk) => {
    buffer += chunk;
    const pieces = buffer.split('\r\n');
    buffer = pieces.pop() ?? '';
    return pieces;
  };
}

async function connectOnce(options: XStreamOptions, sink: StreamSink, signal: AbortSignal): Promise<Outcome> {
  const controller = new AbortController();
  const abortAll = (): void => controller.abort();
  signal.addEventListener('abort', abortAll, { once: true });
  const stallMs = options.keepAliveTimeoutMs ?? 21_000;
  let stalled = false;
  let stallTimer = setTimeout(onStall, stallMs);
  function onStall(): void {
    stalled = true;
    controller.abort();
  }
  const touch = (): void => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(onStall, stallMs);
  };
  let receivedAnything = false;
  try {
    const response = await (options.fetch ?? fetch)(options.url, {
      headers: { authorization: `Bearer ${options.bearerToken}`, accept: 'application/json' },
      signal: controller.signal,
    });
    if (!response.ok || !response.body) {
      const text = await response.text().catch(() => '');
      const retryAfterMs = response.status === 429 ? parseRateLimitHeaders('x', response.headers).retryAfterMs : null;
      return { kind: 'http', status: response.status, retryAfterMs, detail: text.slice(0, 300) };
    }
    sink.health({ type: 'connected' });
    const split = createLineSplitter();
    const decoder = new TextDecoder();
    let lastId: string | null = null;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value: chunk } = await reader.read();
      if (done) break;
      touch();
      const batch: Envelope[] = [];
      for (const piece of split(decoder.decode(chunk, { stream: true }))) {
        if (piece.trim() === '') {
          sink.health({ type: 'keepalive' });
          continue;
        }
        receivedAnything = true;
        let parsed: unknown;
        try {
          parsed = JSON.parse(piece);
        } catch {
          sink.health({ type: 'error', detail: 'unparseable stream line skipped' });
          continue;
        }
        const errors = asArray(asRecord(parsed)?.errors);
        if (errors.length > 0 && !asRecord(parsed)?.data) {
          const first = asRecord(errors[0]);
          sink.health({ type: 'disconnected', detail: asString(first?.disconnect_type) ?? asString(first?.title) ?? 'stream error' });
          continue;
        }
        const envelope = mapXV2StreamLine(parsed, options.channelId, options.mapOptions);
        if (envelope) {
          batch.push(envelope);
          lastId = envelope.externalId;
        }
      }
      if (batch.length > 0) await sink.deliver(batch, [], lastId);
    }
    return { kind: 'dropped', receivedAnything, detail: 'server closed the stream' };
  } catch (error) {
    if (signal.aborted) return { kind: 'aborted' };
    const detail = stalled ? `no data or heartbeat for ${stallMs} ms` : error instanceof Error ? error.message : String(error);
    return { kind: 'dropped', receivedAnything, detail };
  } finally {
    clearTimeout(stallTimer);
    signal.removeEventListener('abort', abortAll);
    controller.abort();
  }
}

/**
 * Consume the X filtered stream until `signal` aborts, reconnecting per X's guidance: at once after
 * an established stream drops, linear back-off on network errors, exponential on HTTP errors, and
 * exponential from a minute (or the reset header) on 429.
 */
export async function runXFilteredStream(options: XStreamOptions, sink: StreamSink, signal: AbortSignal): Promise<void> {
  const backoff = { ...xDefaultBackoff, ...options.backoff };
  let networkFailures = 0;
  let httpFailures = 0;
  while (!signal.aborted) {
    const outcome = await connectOnce(options, sink, signal);
    if (outcome.kind === 'aborted' || signal.aborted) break;
    let delay: number;
    if (outcome.kind === 'dropped') {
      sink.health({ type: 'disconnected', detail: outcome.detail });
      httpFailures = 0;
      if (outcome.receivedAnything) {
        networkFailures = 0;
        delay = 0;
      } else {
        networkFailures += 1;
        delay = Math.min(backoff.networkStartMs * networkFailures, backoff.networkCapMs);
      }
    } else {
      sink.health({ type: 'error', detail: `stream connect failed (${outcome.status}): ${outcome.detail}` });
      networkFailures = 0;
      const start = outcome.status === 429 ? backoff.rateLimitStartMs : backoff.httpStartMs;
      delay = Math.min(start * 2 ** httpFailures, backoff.httpCapMs);
      if (outcome.retryAfterMs !== null && outcome.retryAfterMs > delay) delay = Math.min(outcome.retryAfterMs, backoff.httpCapMs);
      httpFailures += 1;
    }
    await sleep(delay, signal);
  }
}
