import type { Envelope } from '../../../shared/envelope.js';
import { ConnectorError } from '../port.js';
import type { StreamSink } from '../port.js';
import type { FetchLike } from '../shared/http.js';
import { asArray, asRecord, asString } from '../shared/json.js';
import { parseRateLimitHeaders } from '../shared/rate-limit.js';
import { xSnowflakeTime } from './ids.js';
import { mapXV2StreamLine } from './map.js';
import type { XMapOptions } from './map.js';
import type { XRecoveryResult } from './recovery.js';

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
  /** Newest post id durably stored (the saved cursor): where a reconnect recovers from. */
  sinceId?: string | null;
  /**
   * How a (re)connect fills the gap since `sinceId`: `backfill` asks the stream to replay up to five minutes
   * (`backfill_minutes`, Pro and Enterprise) and falls back to search for longer gaps; `search` always uses
   * `recover` (search/recent since_id); `none` accepts the gap.
   */
  recovery?: 'search' | 'backfill' | 'none';
  recover?(sinceId: string): Promise<XRecoveryResult>;
}

/** What the stream knows across reconnects: the newest post id seen and when the connection last spoke. */
interface StreamState {
  newestId: string | null;
  lastContactAt: number | null;
}

const maxBackfillMs = 5 * 60_000;
const bigger = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : BigInt(a) >= BigInt(b) ? a : b);

type Outcome =
  | { kind: 'aborted' }
  | { kind: 'dropped'; receivedAnything: boolean; detail: string }
  | { kind: 'http'; status: number; retryAfterMs: number | null; detail: string }
  | { kind: 'recovery'; retryAfterMs: number | null; detail: string };

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

/** How this connection fills the gap: replay minutes on the stream itself, a search, or nothing. */
function planRecovery(options: XStreamOptions, state: StreamState): { backfillMinutes: number | null; search: boolean } {
  const mode = options.recovery ?? 'none';
  if (!state.newestId || mode === 'none') return { backfillMinutes: null, search: false };
  // Without a live connection to date the gap from, the newest stored post's own time bounds it from above.
  const gapStart = state.lastContactAt ?? (Date.parse(xSnowflakeTime(state.newestId) ?? '') || 0);
  const gapMs = Date.now() - gapStart;
  if (mode === 'backfill' && gapMs <= maxBackfillMs) return { backfillMinutes: Math.max(1, Math.ceil(gapMs / 60_000)), search: false };
  return { backfillMinutes: null, search: Boolean(options.recover) };
}

async function connectOnce(options: XStreamOptions, state: StreamState, sink: StreamSink, signal: AbortSignal): Promise<Outcome> {
  const plan = planRecovery(options, state);
  const url = new URL(options.url);
  if (plan.backfillMinutes !== null) url.searchParams.set('backfill_minutes', String(plan.backfillMinutes));
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
    const response = await (options.fetch ?? fetch)(url.toString(), {
      headers: { authorization: `Bearer ${options.bearerToken}`, accept: 'application/json' },
      signal: controller.signal,
    });
    if (!response.ok || !response.body) {
      const text = await response.text().catch(() => '');
      const retryAfterMs = response.status === 429 ? parseRateLimitHeaders('x', response.headers).retryAfterMs : null;
      return { kind: 'http', status: response.status, retryAfterMs, detail: text.slice(0, 300) };
    }
    sink.health({ type: 'connected' });
    state.lastContactAt = Date.now();
    // Recover before reading live lines: the stream buffers meanwhile, and the cursor never passes an unfilled gap.
    const recovered = new Set<string>();
    if (plan.search && state.newestId && options.recover) {
      clearTimeout(stallTimer);
      try {
        const result = await options.recover(state.newestId);
        const next = bigger(state.newestId, result.newestId);
        if (result.envelopes.length > 0) await sink.deliver(result.envelopes, [], next);
        state.newestId = next;
        for (const e of result.envelopes) recovered.add(asString(asRecord(asRecord(e.raw)?.data)?.id) ?? e.externalId);
        if (result.truncated) sink.health({ type: 'error', detail: 'the gap since the last stored post was too large to recover completely' });
      } catch (error) {
        if (signal.aborted) return { kind: 'aborted' };
        const detail = error instanceof Error ? error.message : String(error);
        // A tier without search cannot recover: say so and go live. A passing failure retries the whole connect.
        if (error instanceof ConnectorError && !error.retryable) sink.health({ type: 'error', detail: `posts made while disconnected could not be recovered: ${detail}` });
        else return { kind: 'recovery', retryAfterMs: error instanceof ConnectorError ? error.retryAfterMs : null, detail };
      }
      touch();
    }
    const split = createLineSplitter();
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    for (;;) {
      const { done, value: chunk } = await reader.read();
      if (done) break;
      touch();
      state.lastContactAt = Date.now();
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
        const postId = asString(asRecord(asRecord(parsed)?.data)?.id);
        // Backfill and recovery overlap with what the stream held for us: each post once.
        if (postId && recovered.has(postId)) continue;
        state.newestId = bigger(state.newestId, postId);
        const envelope = mapXV2StreamLine(parsed, options.channelId, options.mapOptions);
        if (envelope) batch.push(envelope);
      }
      if (batch.length > 0) await sink.deliver(batch, [], state.newestId);
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
  const state: StreamState = { newestId: options.sinceId ?? null, lastContactAt: null };
  while (!signal.aborted) {
    const outcome = await connectOnce(options, state, sink, signal);
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
      const status = outcome.kind === 'http' ? outcome.status : 0;
      sink.health({ type: 'error', detail: outcome.kind === 'http' ? `stream connect failed (${status}): ${outcome.detail}` : `stream recovery failed: ${outcome.detail}` });
      networkFailures = 0;
      const start = status === 429 ? backoff.rateLimitStartMs : backoff.httpStartMs;
      delay = Math.min(start * 2 ** httpFailures, backoff.httpCapMs);
      if (outcome.retryAfterMs !== null && outcome.retryAfterMs > delay) delay = Math.min(outcome.retryAfterMs, backoff.httpCapMs);
      httpFailures += 1;
    }
    await sleep(delay, signal);
  }
}
