import type { Envelope } from '../../../shared/envelope.js';
import type { Deletion } from '../port.js';
import { asArray, asCount, asNumber, asRecord, asString, isoFromDateString, isoFromMs, parseJsonValue } from '../shared/json.js';
import type { JsonRecord } from '../shared/json.js';
import { xOneToOneConversationId, xSnowflakeTime, xStatusUrl } from './ids.js';

/*
 * Account Activity (v1.1 object style). JSON.parse corrupts 64-bit numeric `id`s, so only the
 * `*_str` fields (or ids that arrive as strings) are ever read here.
 */

export interface XAccountActivityOptions {
  ownUserIds?: string[];
  /** Our app id: DMs with this `source_app_id` are echoes of our own sends. */
  ownAppId?: string | null;
  skipRetweets?: boolean;
}

function tweetText(tweet: JsonRecord): string {
  const extended = asString(asRecord(tweet.extended_tweet)?.full_text);
  if (tweet.truncated === true && extended) return extended;
  return asString(tweet.full_text) ?? extended ?? asString(tweet.text) ?? '';
}

/** Map one `tweet_create_events[]` item; our own tweets (author is the subscribed user or one of ours) map to null. */
export function mapXAccountActivityTweet(
  event: unknown,
  channelId: string,
  forUserId: string | null,
  opts: XAccountActivityOptions = {},
): Envelope | null {
  const tweet = asRecord(event);
  const id = asString(tweet?.id_str);
  const user = asRecord(tweet?.user);
  const userId = asString(user?.id_str);
  if (!tweet || !id || !user || !userId) return null;
  if (userId === forUserId || (opts.ownUserIds ?? []).includes(userId)) return null;
  if (opts.skipRetweets && tweet.retweeted_status) return null;
  const handle = asString(user.screen_name);
  const parent = asString(tweet.in_reply_to_status_id_str);
  const mentionsUs = asArray(asRecord(tweet.entities)?.user_mentions).some((m) => asString(asRecord(m)?.id_str) === forUserId);
  const media = asArray(asRecord(tweet.extended_entities ?? tweet.entities)?.media);
  // An edit is a new tweet id whose edit_history names the original: keep the original id, as the stream mapper does.
  const originalId = asString(asRecord(tweet.edit_history)?.initial_tweet_id) ?? id;
  const createdAt = isoFromMs(asNumber(tweet.timestamp_ms)) ?? isoFromDateString(tweet.created_at) ?? xSnowflakeTime(id) ?? new Date(0).toISOString();
  return {
    channelId,
    externalId: originalId,
    kind: parent ? 'reply' : 'post',
    visibility: 'public',
    author: {
      platformId: userId,
      handle,
      displayName: asString(user.name),
      followers: asCount(user.followers_count),
      verified: typeof user.verified === 'boolean' ? user.verified : null,
    },
    text: tweetText(tweet),
    attachments: media.slice(0, 50).map((m) => ({
      url: asString(asRecord(m)?.media_url_https),
      contentType: asRecord(m)?.type === 'photo' ? 'image/*' : null,
    })),
    inReplyTo: parent,
    // v1.1 objects carry no conversation_id; a root post starts its own thread, a reply is threaded by correlate via inReplyTo.
    threadKey: asString(tweet.conversation_id_str) ?? (parent ? null : originalId),
    url: xStatusUrl(handle, id),
    createdAt: originalId === id ? createdAt : (xSnowflakeTime(originalId) ?? createdAt),
    listening: forUserId !== null && !mentionsUs && asString(tweet.in_reply_to_user_id_str) !== forUserId,
    editedAt: originalId === id ? null : createdAt,
    raw: tweet,
  };
}

/** Map one `direct_message_events[]` item using the payload's `users` map; echoes (sent by us or our app) map to null. */
export function mapXAccountActivityDirectMessage(
  event: unknown,
  channelId: string,
  forUserId: string | null,
  users: unknown,
  opts: XAccountActivityOptions = {},
): Envelope | null {
  const dm = asRecord(event);
  const create = asRecord(dm?.message_create);
  const id = asString(dm?.id);
  const senderId = asString(create?.sender_id);
  if (!dm || !create || !id || !senderId || dm.type !== 'message_create') return null;
  if (senderId === forUserId || (opts.ownUserIds ?? []).includes(senderId)) return null;
  if (opts.ownAppId && asString(create.source_app_id) === opts.ownAppId) return null;
  const recipientId = asString(asRecord(create.target)?.recipient_id);
  const sender = asRecord(asRecord(users)?.[senderId]);
  const data = asRecord(create.message_data);
  const media = asRecord(asRecord(data?.attachment)?.media);
  return {
    channelId,
    externalId: id,
    kind: 'dm',
    visibility: 'private',
    author: {
      platformId: senderId,
      handle: asString(sender?.screen_name),
      displayName: asString(sender?.name),
      followers: asCount(sender?.followers_count),
      verified: typeof sender?.verified === 'boolean' ? sender.verified : null,
    },
    text: asString(data?.text) ?? '',
    attachments: media ? [{ url: asString(media.media_url_https), contentType: media.type === 'photo' ? 'image/*' : null }] : [],
    inReplyTo: null,
    threadKey: recipientId ? xOneToOneConversationId(senderId, recipientId) : null,
    url: null,
    createdAt: isoFromMs(asNumber(dm.created_timestamp)) ?? new Date(0).toISOString(),
    raw: dm,
  };
}

export interface XAccountActivityResult {
  forUserId: string | null;
  envelopes: Envelope[];
  deletions: Deletion[];
  /** `user_event` revoke: the app's authorization was withdrawn, disable the channel. */
  revoked: boolean;
}

/** Map a whole Account Activity delivery (tweets, DMs, deletes). Favorites, follows and typing events carry no message and are ignored. */
export function mapXAccountActivity(payload: unknown, channelId: string, opts: XAccountActivityOptions = {}): XAccountActivityResult {
  const body = asRecord(parseJsonValue(payload));
  const forUserId = asString(body?.for_user_id);
  const envelopes: Envelope[] = [];
  const deletions: Deletion[] = [];
  for (const event of asArray(body?.tweet_create_events)) {
    const envelope = mapXAccountActivityTweet(event, channelId, forUserId, opts);
    if (envelope) envelopes.push(envelope);
  }
  for (const event of asArray(body?.direct_message_events)) {
    const envelope = mapXAccountActivityDirectMessage(event, channelId, forUserId, body?.users, opts);
    if (envelope) envelopes.push(envelope);
  }
  for (const event of asArray(body?.tweet_delete_events)) {
    const status = asRecord(asRecord(event)?.status);
    const id = asString(status?.id_str) ?? (typeof status?.id === 'string' ? status.id : null);
    if (id) deletions.push({ channelId, externalId: id });
  }
  const revoked = asRecord(asRecord(body?.user_event)?.revoke) !== null;
  return { forUserId, envelopes, deletions, revoked };
}
