import type { Envelope } from '../../../shared/envelope.js';
import { compileToMastodonQuery } from '../listening/compile-mastodon.js';
import { tryParseListeningQuery } from '../listening/parse.js';
import { ConnectorError } from '../port.js';
import type { Cursor } from '../port.js';
import { compileListeningFilter } from '../rss/listening-filter.js';
import type { ListeningFilter } from '../rss/listening-filter.js';
import { asArray, asRecord, asString, parseJsonValue } from '../shared/json.js';
import type { MastodonClient } from './client.js';
import { compareMastodonIds, mapMastodonStatus } from './map.js';
import type { WatchedStatus } from './recheck.js';

/** Hashtag or public timelines to follow for a channel's listening queries, and the exact filter over what they carry. */
export interface MastodonListening {
  /** Streaming query strings, e.g. `stream=hashtag&tag=acme`. */
  streams: string[];
  /** REST timelines for catch-up, e.g. `/api/v1/timelines/tag/acme?limit=40`. */
  timelinePaths: string[];
  filter: ListeningFilter;
}

export function planMastodonListening(queries: readonly string[], keywordsAsHashtags = false): MastodonListening | null {
  if (queries.length === 0) return null;
  const streams = new Set<string>();
  const timelinePaths = new Set<string>();
  for (const query of queries) {
    const parsed = tryParseListeningQuery(query);
    if (!parsed.ok) throw new ConnectorError(`Listening query "${query}" is invalid: ${parsed.message}`, false, null, 'listening_query');
    const plan = compileToMastodonQuery(parsed.ast, { keywordsAsHashtags });
    plan.streams.forEach((s) => streams.add(s));
    plan.timelinePaths.forEach((p) => timelinePaths.add(p));
  }
  return { streams: [...streams], timelinePaths: [...timelinePaths], filter: compileListeningFilter(queries) ?? (() => false) };
}

/** Mentions resume from a notification id (`n`), listening from the newest status id seen on any followed timeline (`l`). */
export interface MastodonCursorState {
  n: string | null;
  l: string | null;
  /** Recent mentions watched for edits and deletes made while the stream was down (recheck.ts). */
  w?: WatchedStatus[];
}

/** Without listening the cursor stays a bare notification id; with it, a small JSON object. */
export function parseMastodonCursor(cursor: Cursor): MastodonCursorState {
  if (!cursor) return { n: null, l: null };
  if (!cursor.startsWith('{')) return { n: cursor, l: null };
  const value = asRecord(parseJsonValue(cursor));
  const w = asArray(value?.w).filter((e): e is WatchedStatus => Array.isArray(e) && typeof e[0] === 'string' && typeof e[2] === 'number');
  return { n: asString(value?.n), l: asString(value?.l), ...(w.length > 0 ? { w } : {}) };
}

export function formatMastodonCursor(state: MastodonCursorState, listening: boolean): Cursor {
  return listening || (state.w?.length ?? 0) > 0 ? JSON.stringify(state) : state.n;
}

/** A timeline status as a listening envelope: our own, boosts, and statuses that mention us (they come as notifications) give null. */
export function mapListeningStatus(status: unknown, channelId: string, ownAccountIds: readonly string[], filter: ListeningFilter): Envelope | null {
  const envelope = mapMastodonStatus(status, channelId, { ownAccountIds });
  if (!envelope || envelope.visibility === 'private') return null;
  const mentionsUs = asArray(asRecord(status)?.mentions).some((m) => ownAccountIds.includes(asString(asRecord(m)?.id) ?? ''));
  if (mentionsUs) return null;
  if (!filter({ text: envelope.text, language: asString(asRecord(status)?.language), authorHandle: envelope.author.handle })) return null;
  return { ...envelope, listening: true };
}

/** Statuses newer than `minId` on every followed timeline, oldest first, each once. */
export async function fetchListeningSince(client: MastodonClient, paths: readonly string[], minId: string | null, signal?: AbortSignal): Promise<unknown[]> {
  const byId = new Map<string, unknown>();
  for (const path of paths) {
    const [route, query] = path.split('?');
    const params = [...new URLSearchParams(query ?? '')] as [string, string][];
    if (minId) params.push(['min_id', minId]);
    const { body } = await client.get(route ?? path, params, signal);
    for (const status of asArray(body)) {
      const id = asString(asRecord(status)?.id);
      if (id) byId.set(id, status);
    }
  }
  return [...byId.entries()].sort((a, b) => compareMastodonIds(a[0], b[0])).map(([, status]) => status);
}

/** `stream=hashtag&tag=acme` → the WebSocket subscribe message that adds it to an open connection. */
export function subscribeMessage(stream: string): string {
  const params = new URLSearchParams(stream);
  const message: Record<string, string> = { type: 'subscribe', stream: params.get('stream') ?? 'public' };
  const tag = params.get('tag');
  if (tag) message.tag = tag;
  return JSON.stringify(message);
}
