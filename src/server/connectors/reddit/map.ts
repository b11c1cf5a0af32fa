import type { Envelope } from '../../../shared/envelope.js';
import { asRecord, asString, asNumber, isoFromMs } from '../shared/json.js';
import type { JsonRecord } from '../shared/json.js';

export interface RedditMapOptions {
  /** Our own account fullnames (`t2_…`) or usernames: things they author are echoes of our sends. */
  ownAccountIds?: string[];
  /** Web origin used to build permalinks. */
  webBaseUrl?: string;
  /** Set when the thing came from a listening source (a subreddit) rather than the inbox. */
  listening?: boolean;
}

const deletedMarkers = new Set(['[deleted]', '[removed]']);

/** The thing's `data` object when it is a comment, post or private message, else null. */
export function redditThingData(thing: unknown): { kind: 't1' | 't3' | 't4'; data: JsonRecord } | null {
  const record = asRecord(thing);
  const data = asRecord(record?.data);
  const kind = record?.kind;
  if (!data || (kind !== 't1' && kind !== 't3' && kind !== 't4')) return null;
  return { kind, data };
}

/** Reddit never pushes deletes: a deleted thing keeps its fullname but loses its author and body. */
export function isRedditThingDeleted(thing: unknown): boolean {
  const t = redditThingData(thing);
  if (!t) return false;
  const body = asString(t.kind === 't3' ? (t.data.selftext ?? t.data.title) : t.data.body);
  return asString(t.data.author) === '[deleted]' || (body !== null && deletedMarkers.has(body));
}

/** `edited` is `false` or the epoch seconds of the last edit; the marker lets a poll notice a new version. */
export function redditEditedMarker(thing: unknown): string {
  const edited = redditThingData(thing)?.data.edited;
  return typeof edited === 'number' ? String(edited) : 'false';
}

export function isRedditOwnThing(thing: unknown, ownAccountIds: readonly string[]): boolean {
  const t = redditThingData(thing);
  if (!t || ownAccountIds.length === 0) return false;
  const author = asString(t.data.author)?.toLowerCase();
  const fullname = asString(t.data.author_fullname);
  return ownAccountIds.some((id) => id === fullname || id.toLowerCase() === author);
}

/** Maps one Reddit thing (t1 comment, t3 post, t4 message) to an Envelope; deleted things and echoes give null. */
export function mapRedditThing(thing: unknown, channelId: string, options: RedditMapOptions = {}): Envelope | null {
  const t = redditThingData(thing);
  if (!t || isRedditThingDeleted(thing) || isRedditOwnThing(thing, options.ownAccountIds ?? [])) return null;
  const { kind, data } = t;
  const name = asString(data.name) ?? (asString(data.id) ? `${kind}_${asString(data.id)}` : null);
  const createdSec = asNumber(data.created_utc);
  const createdAt = isoFromMs(createdSec === null ? null : createdSec * 1000);
  if (!name || !createdAt) return null;
  const author = asString(data.author) ?? '[unknown]';
  const parentId = asString(data.parent_id);
  const edited = asNumber(data.edited);
  const permalink = asString(data.permalink);
  const webBase = options.webBaseUrl ?? 'https://www.reddit.com';

  let text: string;
  let envelopeKind: Envelope['kind'];
  let threadKey: string | null;
  let subject: string | null = null;
  if (kind === 't3') {
    subject = asString(data.title);
    text = [subject, asString(data.selftext)].filter(Boolean).join('\n\n');
    envelopeKind = 'post';
    threadKey = name;
  } else if (kind === 't1') {
    text = asString(data.body) ?? '';
    envelopeKind = parentId?.startsWith('t1_') ? 'reply' : 'comment';
    threadKey = asString(data.link_id);
  } else {
    text = asString(data.body) ?? '';
    subject = asString(data.subject);
    envelopeKind = 'dm';
    // A PM chain is keyed by its first message; the first message itself has no first_message_name.
    threadKey = asString(data.first_message_name) ?? name;
  }

  return {
    channelId,
    externalId: name,
    kind: envelopeKind,
    visibility: kind === 't4' ? 'private' : 'public',
    author: {
      platformId: asString(data.author_fullname) ?? `u/${author}`,
      handle: author,
      displayName: null,
      followers: null,
      verified: null,
    },
    text,
    subject,
    attachments: [],
    inReplyTo: parentId,
    threadKey,
    url: permalink ? `${webBase}${permalink}` : null,
    createdAt,
    listening: options.listening ?? null,
    editedAt: edited !== null && edited > 0 ? isoFromMs(edited * 1000) : null,
    raw: thing,
  };
}
