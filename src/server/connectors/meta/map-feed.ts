import type { Envelope } from '../../../shared/envelope.js';
import type { Deletion } from '../port.js';
import { asRecord, asString } from '../shared/json.js';
import type { JsonRecord } from '../shared/json.js';
import { metaTime } from './time.js';

const postItems = new Set(['post', 'status', 'photo', 'video', 'share']);

export interface FeedMapResult {
  envelope: Envelope | null;
  deletion: Deletion | null;
}

/**
 * One Page `feed` change: comments and visitor posts. Our own page's comments are echoes of our
 * replies; reactions, likes, hide and unhide carry no message.
 */
export function mapFacebookFeedChange(value: JsonRecord, pageId: string, channelId: string, entryTime: unknown): FeedMapResult {
  const none = { envelope: null, deletion: null };
  const item = asString(value.item);
  const verb = asString(value.verb);
  const isComment = item === 'comment';
  if (!item || (!isComment && !postItems.has(item))) return none;
  const postId = asString(value.post_id) ?? asString(asRecord(value.post)?.id);
  const externalId = isComment ? asString(value.comment_id) : postId;
  if (!externalId) return none;
  if (verb === 'remove') return { envelope: null, deletion: { channelId, externalId } };
  if (verb !== 'add' && verb !== 'edited') return none;
  const from = asRecord(value.from);
  const authorId = asString(from?.id);
  if (!authorId || authorId === pageId) return none;
  const parentId = asString(value.parent_id);
  const createdAt = metaTime(value.created_time) ?? metaTime(entryTime) ?? new Date().toISOString();
  const photo = asString(value.photo) ?? asString(value.link);
  return {
    deletion: null,
    envelope: {
      channelId,
      externalId,
      // A comment directly on the post is a comment; a comment on a comment is a reply in that thread.
      kind: isComment ? (parentId && parentId !== postId ? 'reply' : 'comment') : 'post',
      visibility: 'public',
      author: { platformId: authorId, handle: null, displayName: asString(from?.name), followers: null, verified: null },
      text: asString(value.message) ?? '',
      attachments: photo && item === 'photo' ? [{ url: photo, contentType: 'image/*' }] : [],
      inReplyTo: isComment ? (parentId ?? postId) : null,
      threadKey: postId,
      url: isComment ? `https://www.facebook.com/${externalId}` : (asString(asRecord(value.post)?.permalink_url) ?? `https://www.facebook.com/${externalId}`),
      createdAt,
      editedAt: verb === 'edited' ? (metaTime(entryTime) ?? createdAt) : null,
      raw: value,
    },
  };
}
