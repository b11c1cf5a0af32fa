import { WebSocket } from 'ws';
import type { Envelope } from '../../../shared/envelope.js';
import { PrivateAddressRefused, type GuardedSocketOptions } from '../../platform/guarded-http.js';
import { ConnectorError } from '../port.js';
import type { Cursor, Deletion, PollResult, StreamSink } from '../port.js';
import { asArray, asRecord, asString, parseJsonValue } from '../shared/json.js';
import { fetchMentionsSince } from './client.js';
import type { MastodonClient } from './client.js';
import { fetchListeningSince, formatMastodonCursor, mapListeningStatus, parseMastodonCursor, subscribeMessage } from './listening.js';
import type { MastodonListening } from './listening.js';
import { compareMastodonIds, mapMastodonNotification, mapMastodonStreamFrame } from './map.js';
import { forgetStatus, recheckWatched, watchStatus } from './recheck.js';

export interface MastodonStreamDeps {
  client: MastodonClient;
  channelId: string;
  accessToken: string;
  /** WebSocket origin (`wss://streaming.host`), discovered from `/api/v2/instance` when not configured. */
  streamingUrl(): Promise<string>;
  /** Connection options that route the socket through the private-address guard (throws for a refused IP literal). */
  socketOptions(url: string): GuardedSocketOptions;
  ownAccountIds(): Promise<readonly string[]>;
  /** Ids of statuses we sent, recorded before the echo can arrive. */
  sentIds: ReadonlySet<string>;
  reconnectBaseMs?: number;
  /** Hashtag/public timelines for listening queries; null when the channel only answers mentions. */
  listening(): MastodonListening | null;
  /** Recent mentions read again on each catch-up for edits and deletes missed meanwhile (0: none). */
  recheckRecent?: number;
}

function isNewer(id: string, cursor: string | null): boolean {
  return cursor === null || compareMastodonIds(id, cursor) > 0;
}

/** Mentions (and listening timelines) since the cursor through REST: the poll fallback, and the catch-up after every (re)connect. */
export async function pollMastodon(deps: MastodonStreamDeps, cursor: Cursor, signal?: AbortSignal): Promise<PollResult> {
  const ownAccountIds = await deps.ownAccountIds();
  const listening = deps.listening();
  const state = parseMastodonCursor(cursor);
  const envelopes: Envelope[] = [];
  let deletions: Deletion[] = [];
  // Mentions already ingested first: edits and deletes made while nobody listened.
  if ((deps.recheckRecent ?? 20) > 0 && state.w?.length) {
    const rechecked = await recheckWatched(deps.client, state.w, { channelId: deps.channelId, ownAccountIds, limit: deps.recheckRecent ?? 20, now: Date.now(), ...(signal ? { signal } : {}) });
    envelopes.push(...rechecked.envelopes);
    deletions = rechecked.deletions;
    state.w = rechecked.watched;
  }
  for (const notification of await fetchMentionsSince(deps.client, state.n, signal)) {
    const id = asString(asRecord(notification)?.id);
    if (!id || !isNewer(id, state.n)) continue;
    state.n = id;
    const envelope = mapMastodonNotification(notification, deps.channelId, { ownAccountIds });
    if (envelope && !deps.sentIds.has(envelope.externalId)) {
      envelopes.push(envelope);
      state.w = watchStatus(state.w ?? [], envelope, Date.now());
    }
  }
  if (listening) {
    // One page per timeline: a long outage on a busy public timeline keeps the newest page, not the whole backlog.
    for (const status of await fetchListeningSince(deps.client, listening.timelinePaths, state.l, signal)) {
      const id = asString(asRecord(status)?.id);
      if (!id || !isNewer(id, state.l)) continue;
      state.l = id;
      const envelope = mapListeningStatus(status, deps.channelId, ownAccountIds, listening.filter);
      if (envelope && !deps.sentIds.has(envelope.externalId)) envelopes.push(envelope);
    }
  }
  return { envelopes, deletions, cursor: formatMastodonCursor(state, listening !== null) };
}

function mentionsAny(raw: unknown, accountIds: readonly string[]): boolean {
  return asArray(asRecord(raw)?.mentions).some((m) => accountIds.includes(asString(asRecord(m)?.id) ?? ''));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

/**
 * User stream over WebSocket. Each connection first catches up through REST from the cursor, then applies frames
 * in order; notification ids at or below the cursor are skipped, so a reconnect neither loses nor repeats a mention.
 */
export async function streamMastodon(deps: MastodonStreamDeps, sink: StreamSink, initial: Cursor, signal: AbortSignal): Promise<void> {
  const listening = deps.listening();
  let cursor = initial;
  let failures = 0;
  while (!signal.aborted) {
    let opened = false;
    try {
      await runConnection(() => { opened = true; });
    } catch (error) {
      if (error instanceof ConnectorError && !error.retryable) {
        sink.health({ type: 'error', detail: error.message });
        throw error;
      }
      sink.health({ type: 'error', detail: error instanceof Error ? error.message : String(error) });
    }
    sink.health({ type: 'disconnected' });
    failures = opened ? 0 : failures + 1;
    await sleep(Math.min(60_000, (deps.reconnectBaseMs ?? 1000) * 2 ** failures), signal);
  }

  async function runConnection(onOpen: () => void): Promise<void> {
    const ownAccountIds = await deps.ownAccountIds();
    const url = `${(await deps.streamingUrl()).replace(/\/$/, '')}/api/v1/streaming?stream=user`;
    let guard: ReturnType<MastodonStreamDeps['socketOptions']>;
    try {
      guard = deps.socketOptions(url);
    } catch (error) {
      throw refusal(error);
    }
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${deps.accessToken}` }, ...guard });
    let chain: Promise<void> = Promise.resolve();
    let failure: unknown = null;
    const enqueue = (work: () => Promise<void>) => {
      chain = chain.then(async () => {
        if (failure === null) await work();
      }).catch((error: unknown) => {
        failure ??= error;
        ws.terminate();
      });
    };
    const onAbort = () => ws.close();
    signal.addEventListener('abort', onAbort, { once: true });

    const handleFrame = async (text: string) => {
      const event = mapMastodonStreamFrame(text, deps.channelId, { ownAccountIds });
      const state = parseMastodonCursor(cursor);
      if (event.type === 'notification') {
        if (!isNewer(event.id, state.n)) return;
        state.n = event.id;
        cursor = formatMastodonCursor(state, listening !== null);
        const keep = event.envelope && !deps.sentIds.has(event.envelope.externalId);
        if (keep && event.envelope) {
          state.w = watchStatus(state.w ?? [], event.envelope, Date.now());
          cursor = formatMastodonCursor(state, listening !== null);
        }
        await sink.deliver(keep && event.envelope ? [event.envelope] : [], [], cursor);
      } else if (event.type === 'status' && listening && !event.stream.includes('user')) {
        // Statuses from followed hashtags or the public timeline; one watermark covers them all, as ids grow with time.
        const raw = asRecord(parseJsonValue(asRecord(parseJsonValue(text))?.payload));
        const id = asString(raw?.id);
        if (!id || !isNewer(id, state.l)) return;
        state.l = id;
        cursor = formatMastodonCursor(state, true);
        const envelope = mapListeningStatus(raw, deps.channelId, ownAccountIds, listening.filter);
        await sink.deliver(envelope && !deps.sentIds.has(envelope.externalId) ? [envelope] : [], [], cursor);
      } else if (event.type === 'edit') {
        // The user stream also carries edits of home-timeline statuses; only those addressed to us matter.
        if (event.envelope && mentionsAny(event.envelope.raw, ownAccountIds)) {
          if (state.w?.some(([id]) => id === event.envelope?.externalId)) {
            state.w = watchStatus(state.w, event.envelope, Date.now());
            cursor = formatMastodonCursor(state, listening !== null);
          }
          await sink.deliver([event.envelope], [], cursor);
        }
      } else if (event.type === 'delete') {
        if (state.w?.some(([id]) => id === event.statusId)) {
          state.w = forgetStatus(state.w, event.statusId);
          cursor = formatMastodonCursor(state, listening !== null);
        }
        await sink.deliver([], [{ channelId: deps.channelId, externalId: event.statusId }], cursor);
      }
      // `update` frames are home-timeline statuses, including echoes of our own replies: mentions arrive as notifications.
    };

    await new Promise<void>((resolve) => {
      ws.on('unexpected-response', (_req, res) => {
        const status = res.statusCode ?? 0;
        failure = status === 401 || status === 403
          ? new ConnectorError(`Mastodon streaming refused the token (HTTP ${status}); reconnect the channel`, false, null, `http_${status}`)
          : new ConnectorError(`Mastodon streaming answered HTTP ${status}`, true, 10_000, `http_${status}`);
        ws.terminate();
      });
      ws.on('open', () => {
        onOpen();
        sink.health({ type: 'connected' });
        // Listening streams ride on the same socket (multiplexed subscriptions).
        for (const stream of listening?.streams ?? []) ws.send(subscribeMessage(stream));
        enqueue(async () => {
          const before = cursor;
          const caughtUp = await pollMastodon(deps, cursor, signal);
          cursor = caughtUp.cursor;
          if (caughtUp.envelopes.length + caughtUp.deletions.length > 0 || cursor !== before) await sink.deliver(caughtUp.envelopes, caughtUp.deletions, cursor);
        });
      });
      ws.on('message', (data, isBinary) => {
        if (!isBinary) enqueue(() => handleFrame(data.toString()));
      });
      ws.on('error', (error) => { failure ??= refusal(error); });
      ws.on('close', () => resolve());
    });
    signal.removeEventListener('abort', onAbort);
    await chain;
    if (failure !== null && !signal.aborted) throw failure;
  }
}

/** A streaming host that reaches a private address is a permanent failure (reconnecting would be refused again). */
const refusal = (error: unknown): unknown =>
  error instanceof PrivateAddressRefused ? new ConnectorError(`Mastodon streaming refused: ${error.message}`, false, null, 'private_address') : error;
