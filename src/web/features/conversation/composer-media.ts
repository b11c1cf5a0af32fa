import { CHANNEL_LIMITS, checkCaption, checkMedia, MEDIA_DELIVERED_KEYS, type MediaLimit, type MediaProblem } from '../../../shared/channel-limits.js';

/** How agents name the channels a reply goes to (limit keys, so private Meta replies are their DM products). */
const CHANNEL_NAMES: Readonly<Record<string, string>> = {
  x: 'X',
  bluesky: 'Bluesky',
  mastodon: 'Mastodon',
  messenger: 'Messenger',
  facebook: 'Facebook',
  instagram: 'Instagram',
  instagram_dm: 'Instagram DMs',
  whatsapp: 'WhatsApp',
  reddit: 'Reddit',
  sms: 'SMS',
  email: 'Email',
};

const TYPE_NAMES: Readonly<Record<string, string>> = {
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
  'image/gif': 'GIF',
  'image/webp': 'WebP',
  'video/mp4': 'MP4 video',
  'application/pdf': 'PDF',
};

export const channelName = (key: string): string => CHANNEL_NAMES[key] ?? key;

/** A content type as people say it ("PNG", "PDF"); an unknown or missing type says so. */
export const typeName = (contentType: string): string => TYPE_NAMES[contentType] ?? (contentType ? contentType : 'files of unknown type');

/** Bytes as a short size in binary units, so the platforms' caps read as they publish them (X's 5 MB, not 5.2). */
export const formatSize = (bytes: number): string => {
  if (bytes >= 1_000_000) return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} kB`;
  return `${bytes} bytes`;
};

const list = (items: readonly string[]): string => (items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`);

/** The channel's media limits where Parley sends media; null when the channel (or Parley's adapter for it) cannot. */
export const mediaLimitOf = (limitKey: string | null): MediaLimit | null => (limitKey && MEDIA_DELIVERED_KEYS.has(limitKey) ? (CHANNEL_LIMITS[limitKey]?.media ?? null) : null);

/** Why a reply on this channel cannot carry files: the platform refuses them, or Parley's adapter sends text only. */
const noMedia = (limitKey: string | null): string => {
  const name = limitKey ? channelName(limitKey) : 'this channel';
  return limitKey && CHANNEL_LIMITS[limitKey]?.media ? `Parley sends replies on ${name} as text only, so they cannot carry attachments yet.` : `Replies on ${name} cannot carry attachments.`;
};

/** One sentence saying what a reply on this channel accepts, e.g. "A reply on X can carry up to 4 files: JPEG, PNG, … up to 5 MB each". */
export const describeMedia = (limitKey: string | null): string => {
  const media = mediaLimitOf(limitKey);
  if (!media || !limitKey) return noMedia(limitKey);
  const name = channelName(limitKey);
  const exceptions = Object.entries(media.typeMaxBytes ?? {}).map(([type, bytes]) => `${typeName(type)} up to ${formatSize(bytes)}`);
  const count = media.maxCount === 1 ? 'one file' : `up to ${media.maxCount} files`;
  const parts = [`A reply on ${name} can carry ${count}: ${list(media.types.map(typeName))}, up to ${formatSize(media.maxBytes)} each${exceptions.length ? ` (${exceptions.join(', ')})` : ''}`];
  if (media.alone?.length) parts.push(`send ${list(media.alone.map(typeName))} files on their own`);
  if (media.maxTotalBytes !== undefined) parts.push(`${formatSize(media.maxTotalBytes)} in total`);
  if (media.captionMax !== undefined) parts.push(`with a file, the text is its caption (at most ${media.captionMax} characters)`);
  return `${parts.join('; ')}.`;
};

/** A file as the composer checks it: its name for messages, its declared type and its size. */
export interface PendingFile {
  name: string;
  contentType: string;
  size: number;
}

/** Explains one broken limit in the agent's terms, naming the file at fault. */
const explain = (problem: MediaProblem, files: readonly PendingFile[], limitKey: string, media: MediaLimit | null): string => {
  const file = problem.index === undefined ? undefined : files[problem.index];
  const name = channelName(limitKey);
  switch (problem.code) {
    case 'no_media':
      return `Replies on ${name} cannot carry attachments.`;
    case 'too_many':
      return `${files.length} files is too many: ${name} takes ${media?.maxCount === 1 ? 'one file' : `at most ${media?.maxCount ?? 0} files`} per reply.`;
    case 'type':
      return `${file?.name ?? 'A file'}: ${name} does not take ${typeName(file?.contentType ?? '')}.`;
    case 'too_large': {
      const cap = file ? (media?.typeMaxBytes?.[file.contentType] ?? media?.maxBytes) : media?.maxBytes;
      return `${file?.name ?? 'A file'} is ${formatSize(file?.size ?? 0)}: ${name} takes ${typeName(file?.contentType ?? '')} up to ${formatSize(cap ?? 0)}.`;
    }
    case 'not_alone':
      return `${file?.name ?? 'A file'}: ${name} takes ${typeName(file?.contentType ?? '')} only as the one file of a reply.`;
    case 'total_too_large':
      return `Together the files are ${formatSize(files.reduce((n, f) => n + f.size, 0))}: ${name} takes ${formatSize(media?.maxTotalBytes ?? 0)} in total.`;
    default:
      // A limit this screen has no wording for yet: the shared check's own sentence still says what is wrong.
      return `${problem.message}.`;
  }
};

/**
 * Checks the files a reply would carry against its channel's media limits (the same pure check the server runs) and
 * returns one plain sentence per broken limit; empty when they fit.
 */
export const mediaProblems = (limitKey: string | null, files: readonly PendingFile[]): string[] => {
  if (files.length === 0) return [];
  if (!limitKey) return ['This conversation has no channel to send files to.'];
  const media = mediaLimitOf(limitKey);
  if (!media) return [noMedia(limitKey)];
  return [...new Set(checkMedia(limitKey, files).map((p) => explain(p, files, limitKey, media)))];
};

/** Where the reply's text travels as its file's caption (WhatsApp), the shorter cap it then has; null elsewhere or without files. */
export const captionLimit = (limitKey: string | null, fileCount: number): number | null => (fileCount > 0 ? (mediaLimitOf(limitKey)?.captionMax ?? null) : null);

/** Whether the text is too long to be the caption of the reply's files (the shared check the reply route runs). */
export const isCaptionTooLong = (limitKey: string | null, text: string, fileCount: number): boolean => limitKey !== null && checkCaption(limitKey, text, fileCount) !== null;
