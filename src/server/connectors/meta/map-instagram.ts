import type { Envelope } from '../../../shared/envelope.js';
import { asRecord, asString } from '../shared/json.js';
import type { JsonRecord } from '../shared/json.js';
import { metaTime } from './time.js';

export interface InstagramMentionRef {
  mediaId: string | null;
  commentId: string | null;
}

/** An Instagram `comments` / `live_comments` change. Comments by our own account are echoes of our replies. */
export function mapInstagramComment(value: JsonRecord, igUserId: string, channelId: string, entryTime: unknown, live: boolean): Envelope | null {
  const id = asString(value.id);
  const from = asRecord(value.from);
  const authorId = asString(from?.id) ?? asString(from?.self_ig_scoped_id);
  if (!id || !authorId || authorId === igUserId) return null;
  const parentId = asString(value.parent_id);
  const mediaId = asString(asRecord(value.media)?.id);
  const handle = asString(from?.username);
  return {
    channelId,
    externalId: id,
    kind: parentId ? 'reply' : 'comment',
    visibility: 'public',
    author: { platformId: authorId, handle, displayName: null, followers: null, verified: null },
    text: asString(value.text) ?? '',
    attachments: [],
    inReplyTo: parentId ?? mediaId,
    threadKey: mediaId ? `${live ? 'live:' : ''}${mediaId}` : null,
    url: null,
    createdAt: metaTime(value.timestamp) ?? metaTime(entryTime) ?? new Date().toISOString(),
    raw: value,
  };
}

/** An @mention change carries only ids; the text must be fetched from the Graph API. */
export function readInstagramMention(value: JsonRecord): InstagramMentionRef {
  return { mediaId: asString(value.media_id), commentId: asString(value.comment_id) };
}

/** Build the mention Envelope from `GET /{ig-user-id}?fields=mentioned_comment.comment_id(ID){...}`. */
export function mapInstagramMentionedComment(response: unknown, ref: InstagramMentionRef, channelId: string): Envelope | null {
  const comment = asRecord(asRecord(response)?.mentioned_comment);
  const id = asString(comment?.id) ?? ref.commentId;
  if (!comment || !id) return null;
  const username = asString(comment.username);
  const mediaId = asString(asRecord(comment.media)?.id) ?? ref.mediaId;
  return {
    channelId,
    externalId: id,
    kind: 'comment',
    visibility: 'public',
    // The Graph API exposes only the username of a mentioning commenter, so it doubles as the id.
    author: { platformId: asString(asRecord(comment.from)?.id) ?? `username:${username ?? 'unknown'}`, handle: username, displayName: null, followers: null, verified: null },
    text: asString(comment.text) ?? '',
    attachments: [],
    inReplyTo: mediaId,
    threadKey: mediaId,
    url: null,
    createdAt: metaTime(comment.timestamp) ?? new Date().toISOString(),
    listening: false,
    raw: comment,
  };
}
