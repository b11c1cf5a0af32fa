import type { Envelope } from '../../../shared/envelope.js';
import { asArray, asCount, asRecord, asString, isoFromDateString, parseJsonValue } from '../shared/json.js';
import type { JsonRecord } from '../shared/json.js';
import { xSnowflakeTime, xStatusUrl } from './ids.js';

export { xOneToOneConversationId, xSnowflakeTime, xStatusUrl } from './ids.js';
export { mapXAccountActivity, mapXAccountActivityTweet, mapXAccountActivityDirectMessage } from './map-account-activity.js';

export interface XMapOptions {
  /** Our own account ids: posts and DMs they author are echoes of our sends and are dropped. */
  ownUserIds?: string[];
  /** Drop retweets (a retweet's text is the quoted author's words, rarely addressed to the brand). */
  skipRetweets?: boolean;
}

interface XUser {
  id: string;
  username: string | null;
  name: string | null;
  followers: number | null;
  verified: boolean | null;
}

function readV2User(value: unknown): XUser | null {
  const user = asRecord(value);
  const id = asString(user?.id);
  if (!user || !id) return null;
  const metrics = asRecord(user.public_metrics);
  const verifiedType = asString(user.verified_type);
  return {
    id,
    username: asString(user.username),
    name: asString(user.name),
    followers: asCount(metrics?.followers_count),
    verified: typeof user.verified === 'boolean' ? user.verified : verifiedType ? verifiedType !== 'none' : null,
  };
}

function findUser(includes: JsonRecord | null, id: string | null): XUser | null {
  if (!id) return null;
  for (const candidate of asArray(includes?.users)) {
    const user = readV2User(candidate);
    if (user?.id === id) return user;
  }
  return null;
}

function referenced(tweet: JsonRecord, type: string): string | null {
  for (const ref of asArray(tweet.referenced_tweets)) {
    const r = asRecord(ref);
    if (r && r.type === type) return asString(r.id);
  }
  return null;
}

function mediaAttachments(tweet: JsonRecord, includes: JsonRecord | null): Envelope['attachments'] {
  const keys = new Set(asArray(asRecord(tweet.attachments)?.media_keys).map(asString));
  const out: Envelope['attachments'] = [];
  for (const m of asArray(includes?.media)) {
    const media = asRecord(m);
    if (!media || !keys.has(asString(media.media_key))) continue;
    const type = asString(media.type);
    out.push({
      url: asString(media.url) ?? asString(media.preview_image_url),
      contentType: type === 'photo' ? 'image/*' : type === 'video' || type === 'animated_gif' ? 'video/*' : null,
    });
  }
  return out.slice(0, 50);
}

/** Does the post address one of our accounts (mention or reply to us) rather than merely match a rule? */
function addressesUs(tweet: JsonRecord, own: ReadonlySet<string>): boolean {
  const replyTo = asString(tweet.in_reply_to_user_id);
  if (replyTo && own.has(replyTo)) return true;
  return asArray(asRecord(tweet.entities)?.mentions).some((m) => {
    const id = asString(asRecord(m)?.id);
    return id !== null && own.has(id);
  });
}

/**
 * Map one X API v2 filtered-stream line (string, Buffer or parsed object) to an Envelope.
 * Returns null for keep-alives, error/disconnect objects, malformed lines and our own posts.
 * Edits keep the original post id as externalId (edit_history_tweet_ids[0]) so ingest updates in place.
 */
export function mapXV2StreamLine(line: unknown, channelId: string, opts: XMapOptions = {}): Envelope | null {
  const parsed = asRecord(parseJsonValue(line));
  const tweet = asRecord(parsed?.data);
  const id = asString(tweet?.id);
  if (!parsed || !tweet || !id) return null;
  const own = new Set(opts.ownUserIds ?? []);
  const authorId = asString(tweet.author_id);
  if (authorId && own.has(authorId)) return null;
  if (opts.skipRetweets && referenced(tweet, 'retweeted')) return null;
  const includes = asRecord(parsed.includes);
  const author = findUser(includes, authorId);
  const repliedTo = referenced(tweet, 'replied_to');
  const history = asArray(tweet.edit_history_tweet_ids).map(asString).filter((v): v is string => v !== null);
  const originalId = history[0] ?? id;
  const createdAt = isoFromDateString(tweet.created_at) ?? xSnowflakeTime(id) ?? new Date(0).toISOString();
  const noteText = asString(asRecord(tweet.note_tweet)?.text);
  const isListening = asArray(parsed.matching_rules).length > 0 && !addressesUs(tweet, own);
  return {
    channelId,
    externalId: originalId,
    kind: repliedTo ? 'reply' : 'post',
    visibility: 'public',
    author: {
      platformId: authorId ?? 'unknown',
      handle: author?.username ?? null,
      displayName: author?.name ?? null,
      followers: author?.followers ?? null,
      verified: author?.verified ?? null,
    },
    text: noteText ?? asString(tweet.text) ?? '',
    attachments: mediaAttachments(tweet, includes),
    inReplyTo: repliedTo,
    threadKey: asString(tweet.conversation_id) ?? (repliedTo ? null : originalId),
    url: xStatusUrl(author?.username ?? null, id),
    createdAt: originalId === id ? createdAt : (xSnowflakeTime(originalId) ?? createdAt),
    listening: isListening,
    editedAt: originalId === id ? null : createdAt,
    raw: parsed,
  };
}

export interface XDmMapOptions extends XMapOptions {
  /** `includes` of the dm_events page (expansions=sender_id) for sender handles and follower counts. */
  includes?: unknown;
}

/** Map one v2 `dm_events` item (event_type MessageCreate) to a private Envelope; other event types and our own messages map to null. */
export function mapXDirectMessage(event: unknown, channelId: string, opts: XDmMapOptions = {}): Envelope | null {
  const dm = asRecord(parseJsonValue(event));
  const id = asString(dm?.id);
  const senderId = asString(dm?.sender_id);
  if (!dm || !id || !senderId || dm.event_type !== 'MessageCreate') return null;
  if ((opts.ownUserIds ?? []).includes(senderId)) return null;
  const sender = findUser(asRecord(opts.includes), senderId);
  const attachments = asArray(asRecord(dm.attachments)?.media_keys).length > 0 ? mediaAttachments(dm, asRecord(opts.includes)) : [];
  return {
    channelId,
    externalId: id,
    kind: 'dm',
    visibility: 'private',
    author: {
      platformId: senderId,
      handle: sender?.username ?? null,
      displayName: sender?.name ?? null,
      followers: sender?.followers ?? null,
      verified: sender?.verified ?? null,
    },
    text: asString(dm.text) ?? '',
    attachments,
    inReplyTo: null,
    threadKey: asString(dm.dm_conversation_id),
    url: null,
    createdAt: isoFromDateString(dm.created_at) ?? xSnowflakeTime(id) ?? new Date(0).toISOString(),
    raw: dm,
  };
}
