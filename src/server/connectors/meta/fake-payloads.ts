/** Webhook bodies the Meta fake driver posts, rebuilt from the documented shapes (CONNECTORS.md §2.3). */

let counter = 0;
export const nextFakeMetaId = (): string => `${Date.now()}${String((counter += 1)).padStart(4, '0')}`;

const nowSeconds = () => Math.floor(Date.now() / 1000);

export interface FeedCommentInput {
  pageId: string;
  postId: string;
  commentId: string;
  parentId?: string;
  from: { id: string; name: string };
  message?: string;
  verb: 'add' | 'edited' | 'remove';
}

export function facebookFeedComment(input: FeedCommentInput): Record<string, unknown> {
  return {
    object: 'page',
    entry: [
      {
        id: input.pageId,
        time: nowSeconds(),
        changes: [
          {
            field: 'feed',
            value: {
              from: input.from,
              post: { id: input.postId, status_type: 'added_photos', is_published: true, updated_time: new Date().toISOString().replace('Z', '+0000'), permalink_url: `https://www.facebook.com/${input.postId}` },
              ...(input.message === undefined ? {} : { message: input.message }),
              post_id: input.postId,
              comment_id: input.commentId,
              parent_id: input.parentId ?? input.postId,
              created_time: nowSeconds(),
              item: 'comment',
              verb: input.verb,
            },
          },
        ],
      },
    ],
  };
}

export interface MessagingInput {
  object: 'page' | 'instagram';
  ownId: string;
  senderId: string;
  recipientId: string;
  mid: string;
  text?: string;
  isEcho?: boolean;
  isDeleted?: boolean;
  edit?: boolean;
}

export function metaMessagingEvent(input: MessagingInput): Record<string, unknown> {
  const event: Record<string, unknown> = { sender: { id: input.senderId }, recipient: { id: input.recipientId }, timestamp: Date.now() };
  if (input.edit) event.message_edit = { mid: input.mid, text: input.text ?? '', num_edit: 1 };
  else {
    event.message = {
      mid: input.mid,
      ...(input.text === undefined ? {} : { text: input.text }),
      ...(input.isEcho ? { is_echo: true, app_id: 1517776481860111 } : {}),
      ...(input.isDeleted ? { is_deleted: true } : {}),
    };
  }
  return { object: input.object, entry: [{ id: input.ownId, time: Date.now(), messaging: [event] }] };
}

export interface InstagramCommentInput {
  igUserId: string;
  commentId: string;
  mediaId: string;
  parentId?: string;
  from: { id: string; username: string };
  text: string;
}

export function instagramComment(input: InstagramCommentInput): Record<string, unknown> {
  return {
    object: 'instagram',
    entry: [
      {
        id: input.igUserId,
        time: nowSeconds(),
        changes: [
          {
            field: 'comments',
            value: {
              id: input.commentId,
              text: input.text,
              ...(input.parentId ? { parent_id: input.parentId } : {}),
              from: { id: input.from.id, username: input.from.username },
              media: { id: input.mediaId, media_product_type: 'FEED' },
            },
          },
        ],
      },
    ],
  };
}

export function instagramMention(igUserId: string, mediaId: string, commentId: string): Record<string, unknown> {
  return { object: 'instagram', entry: [{ id: igUserId, time: nowSeconds(), changes: [{ field: 'mentions', value: { media_id: mediaId, comment_id: commentId } }] }] };
}
