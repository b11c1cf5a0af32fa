import { WebSocket } from 'ws';
import type { Envelope } from '../../../shared/envelope.js';
import { PrivateAddressRefused, type GuardedSocketOptions } from '../../platform/guarded-http.js';
import { ConnectorError } from '../port.js';
import type { Cursor, Deletion, StreamSink } from '../port.js';
import { mapJetstreamEvent, postCollection } from './map.js';
import type { JetstreamMapOptions } from './map.js';

export interface JetstreamOptions extends JetstreamMapOptions {
  /** Jetstream origin, e.g. `wss://jetstream2.us-east.bsky.network`. */
  url: string;
  channelId: string;
  /** Delivery is at-least-once, so resume a little before the cursor and drop what we already passed. */
  rewindUs?: number;
  reconnectBaseMs?: number;
  /** With no saved cursor, start this far back instead of at the live tail (Jetstream keeps about 36 h). */
  backfillUs?: number;
  /** Longest wait before pending envelopes (or a moved cursor) are handed to the sink. */
  flushMs?: number;
  /** Connection options that route the socket through the private-address guard (throws for a refused IP literal). */
  socketOptions(url: string): GuardedSocketOptions;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

/** The cursor is the `time_us` of the last event we passed, as a decimal string. */
export function parseJetstreamCursor(cursor: Cursor): number | null {
  const n = cursor === null ? Number.NaN : Number(cursor);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

export async function streamJetstream(options: JetstreamOptions, sink: StreamSink, initial: Cursor, signal: AbortSignal): Promise<void> {
  let cursorUs = parseJetstreamCursor(initial);
  let deliveredUs = cursorUs;
  let failures = 0;
  while (!signal.aborted) {
    let opened = false;
    try {
      await runConnection(() => { opened = true; });
    } catch (error) {
      sink.health({ type: 'error', detail: error instanceof Error ? error.message : String(error) });
      // A Jetstream host that reaches a private address would be refused on every reconnect.
      if (error instanceof PrivateAddressRefused) throw new ConnectorError(`Jetstream refused: ${error.message}`, false, null, 'private_address');
    }
    sink.health({ type: 'disconnected' });
    failures = opened ? 0 : failures + 1;
    await sleep(Math.min(60_000, (options.reconnectBaseMs ?? 1000) * 2 ** failures), signal);
  }

  async function runConnection(onOpen: () => void): Promise<void> {
    const query = new URLSearchParams({ wantedCollections: postCollection });
    if (cursorUs !== null) query.set('cursor', String(Math.max(1, cursorUs - (options.rewindUs ?? 5_000_000))));
    else if (options.backfillUs) query.set('cursor', String(Date.now() * 1000 - options.backfillUs));
    const url = `${options.url.replace(/\/$/, '')}/subscribe?${query.toString()}`;
    const ws = new WebSocket(url, options.socketOptions(url));
    const onAbort = () => ws.close();
    signal.addEventListener('abort', onAbort, { once: true });
    let pending: { envelopes: Envelope[]; deletions: Deletion[] } = { envelopes: [], deletions: [] };
    let chain: Promise<void> = Promise.resolve();
    let timer: NodeJS.Timeout | null = null;
    let failure: unknown = null;

    // Flushes run one after another so the sink sees cursors in order.
    const flush = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      const batch = pending;
      pending = { envelopes: [], deletions: [] };
      const at = cursorUs;
      if (at === null || (batch.envelopes.length === 0 && batch.deletions.length === 0 && at === deliveredUs)) return;
      chain = chain.then(async () => {
        if (failure !== null) return;
        await sink.deliver(batch.envelopes, batch.deletions, String(at));
        deliveredUs = at;
      }).catch((error: unknown) => {
        failure ??= error;
        ws.terminate();
      });
    };

    const onFrame = (text: string) => {
      const mapped = mapJetstreamEvent(text, options.channelId, options);
      // Everything at or before the cursor was already passed on before the reconnect.
      if (mapped.timeUs === null || (cursorUs !== null && mapped.timeUs <= cursorUs)) return;
      cursorUs = mapped.timeUs;
      if (mapped.type === 'envelope') pending.envelopes.push(mapped.envelope);
      if (mapped.type === 'deletion') pending.deletions.push(mapped.deletion);
      if (pending.envelopes.length + pending.deletions.length >= 200) flush();
      else timer ??= setTimeout(flush, options.flushMs ?? 200);
    };

    await new Promise<void>((resolve) => {
      ws.on('open', () => {
        onOpen();
        sink.health({ type: 'connected' });
      });
      ws.on('message', (data, isBinary) => {
        if (!isBinary) onFrame(data.toString());
      });
      ws.on('error', (error) => { failure ??= error; });
      ws.on('close', () => resolve());
    });
    signal.removeEventListener('abort', onAbort);
    flush();
    await chain;
    // A failed delivery must not skip events: resume from what the sink actually accepted.
    cursorUs = deliveredUs;
    if (failure !== null && !signal.aborted) throw failure;
  }
}
