import type { Envelope } from '../../../shared/envelope.js';
import type { Cursor, Deletion, PollResult } from '../port.js';
import { asArray, asNumber, asRecord, asString } from '../shared/json.js';
import type { RedditClient } from './client.js';
import { isRedditThingDeleted, mapRedditThing, redditEditedMarker, redditThingData } from './map.js';
import type { RedditMapOptions } from './map.js';

/** Persisted poll position: the newest thing per listing, recent names for dedupe, and recent things watched for edits/deletes. */
export interface RedditCursor {
  v: 1;
  anchors: Record<string, RedditAnchor>;
  seen: string[];
  /** fullname → edited marker of the version we delivered. */
  watch: Record<string, string>;
}

/** The newest thing delivered from one listing; `created` (epoch s) lets the walk stop even if that thing vanished. */
export interface RedditAnchor {
  name: string;
  created: number;
}

export interface RedditSource {
  path: string;
  /** Extra query parameters (search `q`, `sort`, `type`). */
  params?: Record<string, string>;
  listening: boolean;
  /** Keep only things whose text passes this listening filter (search results, subreddit firehoses). */
  filter?: ((message: { text: string; authorHandle?: string | null }) => boolean) | null;
}

/** Anchor key: one per listing, so two searches on the same path keep separate positions. */
function sourceKey(source: RedditSource): string {
  return source.params?.q ? `${source.path}?q=${source.params.q}` : source.path;
}

const pageLimit = 100;
const maxPagesPerPoll = 10;
const seenCap = 1000;
const watchCap = 100;

export function parseRedditCursor(cursor: Cursor): RedditCursor {
  const value = asRecord(cursor ? safeParse(cursor) : null);
  if (!value || value.v !== 1) return { v: 1, anchors: {}, seen: [], watch: {} };
  return {
    v: 1,
    anchors: Object.fromEntries(
      Object.entries(asRecord(value.anchors) ?? {}).flatMap(([path, a]) => {
        const anchor = asRecord(a);
        const created = asNumber(anchor?.created);
        return anchor && typeof anchor.name === 'string' && created !== null ? [[path, { name: anchor.name, created }]] : [];
      }),
    ),
    seen: asArray(value.seen).filter((s): s is string => typeof s === 'string'),
    watch: Object.fromEntries(Object.entries(asRecord(value.watch) ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string')),
  };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function listingChildren(listing: unknown): unknown[] {
  return asArray(asRecord(asRecord(listing)?.data)?.children);
}

function fullname(thing: unknown): string | null {
  return asString(redditThingData(thing)?.data.name);
}

function anchorOf(thing: unknown): RedditAnchor | null {
  const data = redditThingData(thing)?.data;
  const name = asString(data?.name);
  const created = asNumber(data?.created_utc);
  return name && created !== null ? { name, created } : null;
}

/**
 * New things of one listing, oldest first. Listings are newest first: walk pages with `after=<fullname>` until
 * we reach the anchor, or anything older than it (the anchor itself may have been removed since).
 */
async function fetchNew(client: RedditClient, source: RedditSource, anchor: RedditAnchor | null, signal?: AbortSignal): Promise<unknown[]> {
  const pages: unknown[][] = [];
  let after: string | null = null;
  for (let page = 0; page < maxPagesPerPoll; page++) {
    const params: Record<string, string> = { ...source.params, limit: String(pageLimit), raw_json: '1' };
    if (after) params.after = after;
    const listing = await client.get(source.path, params, signal);
    const fresh: unknown[] = [];
    let reachedAnchor = false;
    for (const child of listingChildren(listing)) {
      const position = anchorOf(child);
      if (anchor && position && (position.name === anchor.name || position.created < anchor.created)) {
        reachedAnchor = true;
        break;
      }
      fresh.push(child);
    }
    pages.push(fresh.reverse());
    after = asString(asRecord(asRecord(listing)?.data)?.after);
    // A first poll (no anchor yet) takes one page as its baseline instead of the whole history.
    if (reachedAnchor || !after || !anchor) break;
  }
  return pages.reverse().flat();
}

export async function pollReddit(
  client: RedditClient,
  sources: RedditSource[],
  channelId: string,
  cursor: Cursor,
  mapOptions: RedditMapOptions,
  signal?: AbortSignal,
): Promise<PollResult> {
  const state = parseRedditCursor(cursor);
  const seen = new Set(state.seen);
  const envelopes: Envelope[] = [];
  const deletions: Deletion[] = [];
  const fresh = new Set<string>();

  for (const source of sources) {
    const key = sourceKey(source);
    const things = await fetchNew(client, source, state.anchors[key] ?? null, signal);
    const newest = things.length > 0 ? anchorOf(things[things.length - 1]) : null;
    // A listing empty at its first poll still gets an anchor, so everything that appears later counts as new.
    state.anchors[key] = newest ?? state.anchors[key] ?? { name: '', created: 0 };
    for (const thing of things) {
      const name = fullname(thing);
      if (!name || seen.has(name)) continue;
      seen.add(name);
      state.seen.push(name);
      fresh.add(name);
      const envelope = mapRedditThing(thing, channelId, { ...mapOptions, listening: source.listening });
      if (!envelope || (source.filter && !source.filter({ text: envelope.text, authorHandle: envelope.author.handle }))) continue;
      envelopes.push(envelope);
      // Messages (t4) are not served by /api/info, so only comments and posts are watched for edits.
      if (!name.startsWith('t4_')) state.watch[name] = redditEditedMarker(thing);
    }
  }

  // Reddit pushes neither edits nor deletes: re-read the recent things we delivered and compare.
  const watched = Object.keys(state.watch).filter((name) => !fresh.has(name));
  if (watched.length > 0) {
    const info = await client.get('/api/info', { id: watched.join(','), raw_json: '1' }, signal);
    for (const thing of listingChildren(info)) {
      const name = fullname(thing);
      if (!name || state.watch[name] === undefined) continue;
      if (isRedditThingDeleted(thing)) {
        deletions.push({ channelId, externalId: name });
        delete state.watch[name];
        continue;
      }
      const marker = redditEditedMarker(thing);
      if (marker === state.watch[name]) continue;
      state.watch[name] = marker;
      const envelope = mapRedditThing(thing, channelId, mapOptions);
      if (envelope) envelopes.push(envelope);
    }
  }

  const watchNames = Object.keys(state.watch);
  for (const name of watchNames.slice(0, Math.max(0, watchNames.length - watchCap))) delete state.watch[name];
  const next: RedditCursor = { v: 1, anchors: state.anchors, seen: state.seen.slice(-seenCap), watch: state.watch };
  return { envelopes, deletions, cursor: JSON.stringify(next) };
}
