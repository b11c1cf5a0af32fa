import { channelLimitKey, checkCaption, checkMedia, CHANNEL_LIMITS, MEDIA_DELIVERED_KEYS } from '../../shared/channel-limits.js';
import { AppError } from '../platform/errors.js';
import type { Repositories } from '../repositories/index.js';
import type { AttachmentMeta } from '../repositories/attachments.repository.js';

/**
 * The uploaded files a reply names, checked against its channel's media limits (the shared checkMedia the composer
 * uses) and against what Parley's connector for the channel can send; any problem is a 422 naming attachmentIds.
 */
export const replyAttachments = async (tx: Repositories, ids: readonly string[], reply: { platform: string; visibility: 'public' | 'private'; text: string }): Promise<AttachmentMeta[]> => {
  if (ids.length === 0) return [];
  if (new Set(ids).size !== ids.length) throw new AppError('media_not_accepted', 'each attachment may be named once', 'attachmentIds');
  const found = await tx.attachments.metaOf(ids);
  const missing = ids.filter((id) => !found.some((a) => a.id === id));
  if (missing.length) throw new AppError('media_not_accepted', `no attachment ${missing.join(', ')}; upload it first`, 'attachmentIds', { missing });
  const key = channelLimitKey(reply.platform, reply.visibility === 'public');
  if (CHANNEL_LIMITS[key]?.media && !MEDIA_DELIVERED_KEYS.has(key)) {
    throw new AppError('media_not_accepted', `Parley sends text only on ${key}; reply without attachments`, 'attachmentIds', { problems: [{ code: 'no_media', message: `Parley sends text only on ${key}` }] });
  }
  const problems = checkMedia(key, found);
  if (problems.length) throw new AppError('media_not_accepted', problems.map((p) => p.message).join('; '), 'attachmentIds', { channel: key, problems });
  // Bluesky chat messages carry text only (the images embed is for posts).
  if (key === 'bluesky' && reply.visibility === 'private') {
    throw new AppError('media_not_accepted', 'Bluesky direct messages carry text only', 'attachmentIds', { channel: key, problems: [{ code: 'no_media', message: 'Bluesky direct messages carry text only' }] });
  }
  // An X direct message carries one attachment (a post takes four).
  if (key === 'x' && reply.visibility === 'private' && found.length > 1) {
    throw new AppError('media_not_accepted', 'an X direct message carries one attachment', 'attachmentIds', { channel: key, problems: [{ code: 'too_many', message: 'an X direct message carries one attachment' }] });
  }
  const caption = checkCaption(key, reply.text, found.length);
  if (caption) throw new AppError('media_not_accepted', caption, 'text', { channel: key });
  return found;
};
