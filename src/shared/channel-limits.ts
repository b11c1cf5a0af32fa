/** How a platform measures a reply and how much it accepts in one message. */
export interface ChannelLimit {
  /** x: X's weighted count; graphemes: user-perceived characters; utf16: JS length; sms: one GSM-7/UCS-2 segment. */
  unit: 'x_weighted' | 'graphemes' | 'utf16' | 'sms';
  /** Maximum in `unit`; for sms this is the GSM-7 figure (UCS-2 texts get 70). */
  max: number;
  /** html channels get variable values HTML-escaped. */
  format: 'text' | 'html';
  /** What media one reply may carry (the platform's published limits); null when the channel cannot carry media in a reply. */
  media: MediaLimit | null;
}

/** Attachment types Parley accepts at all (decided by the bytes at upload, never the declared type). */
export const ATTACHMENT_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'video/mp4', 'application/pdf'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

/** Per-reply media limits of one channel. */
export interface MediaLimit {
  /** Most files in one reply. */
  maxCount: number;
  /** Largest file, in bytes, unless `typeMaxBytes` names its type. */
  maxBytes: number;
  /** Types the channel carries. */
  types: readonly string[];
  /** Per-type file caps that differ from `maxBytes` (X and WhatsApp take larger videos and documents). */
  typeMaxBytes?: Readonly<Record<string, number>>;
  /** Types that must be the only file of a reply (X: one video or one GIF; Mastodon: one video). */
  alone?: readonly string[];
  /** Cap on the sum of all files (email). */
  maxTotalBytes?: number;
  /** The reply's text travels as the media's caption, which is shorter than a text message (WhatsApp: 1024). */
  captionMax?: number;
}

const MB = 1024 * 1024;
const IMAGES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;

/** Published per-message limits (platform documentation, late 2026). Unknown channels have no limit. */
export const CHANNEL_LIMITS: Readonly<Record<string, ChannelLimit>> = Object.freeze({
  // X: up to 4 images of 5 MB, or one GIF (15 MB) or one video (512 MB) alone.
  x: {
    unit: 'x_weighted',
    max: 280,
    format: 'text',
    media: { maxCount: 4, maxBytes: 5 * MB, types: [...IMAGES, 'video/mp4'], typeMaxBytes: { 'image/gif': 15 * MB, 'video/mp4': 512 * MB }, alone: ['image/gif', 'video/mp4'] },
  },
  // Bluesky: app.bsky.embed.images takes up to 4 images, each blob at most 1,000,000 bytes.
  bluesky: { unit: 'graphemes', max: 300, format: 'text', media: { maxCount: 4, maxBytes: 1_000_000, types: IMAGES } },
  // Mastodon (default server limits): 4 attachments, images 16 MB, video 99 MB and then the only attachment.
  mastodon: {
    unit: 'graphemes',
    max: 500,
    format: 'text',
    media: { maxCount: 4, maxBytes: 16 * MB, types: [...IMAGES, 'video/mp4'], typeMaxBytes: { 'video/mp4': 99 * MB }, alone: ['video/mp4'] },
  },
  // Messenger Send API: one attachment per message, 25 MB.
  messenger: { unit: 'utf16', max: 2000, format: 'text', media: { maxCount: 1, maxBytes: 25 * MB, types: [...IMAGES, 'video/mp4', 'application/pdf'] } },
  // Facebook comment: one photo, under 4 MB.
  facebook: { unit: 'utf16', max: 8000, format: 'text', media: { maxCount: 1, maxBytes: 4 * MB, types: ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] } },
  // Instagram comments carry text only.
  instagram: { unit: 'utf16', max: 2200, format: 'text', media: null },
  // Instagram messaging: one image (8 MB) or video (25 MB) per message.
  instagram_dm: { unit: 'utf16', max: 1000, format: 'text', media: { maxCount: 1, maxBytes: 8 * MB, types: ['image/jpeg', 'image/png', 'video/mp4'], typeMaxBytes: { 'video/mp4': 25 * MB } } },
  // WhatsApp Cloud API: one media per message; image 5 MB, video 16 MB, document 100 MB.
  whatsapp: {
    unit: 'utf16',
    max: 4096,
    format: 'text',
    media: { maxCount: 1, maxBytes: 5 * MB, types: ['image/jpeg', 'image/png', 'video/mp4', 'application/pdf'], typeMaxBytes: { 'video/mp4': 16 * MB, 'application/pdf': 100 * MB }, captionMax: 1024 },
  },
  reddit: { unit: 'utf16', max: 10000, format: 'text', media: null },
  sms: { unit: 'sms', max: 160, format: 'text', media: null },
  // Email: any accepted type, 25 MB for the whole message (most providers' cap).
  email: { unit: 'utf16', max: Number.POSITIVE_INFINITY, format: 'html', media: { maxCount: 10, maxBytes: 25 * MB, types: ATTACHMENT_TYPES, maxTotalBytes: 25 * MB } },
});

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
const URL_RE = /https?:\/\/[^\s]+/giu;
const EMOJI = /\p{Extended_Pictographic}/u;
/** X's transformed length of any link. */
const X_URL_LENGTH = 23;

/** X counts most Latin, punctuation and general symbols as 1 and everything else (CJK, emoji) as 2. */
function xWeight(codePoint: number): number {
  return codePoint <= 4351 || (codePoint >= 8192 && codePoint <= 8205) || (codePoint >= 8208 && codePoint <= 8223) || (codePoint >= 8242 && codePoint <= 8247)
    ? 1
    : 2;
}

function xWeightedLength(text: string): number {
  let urls = 0;
  const rest = text.replace(URL_RE, () => {
    urls++;
    return '';
  });
  let n = urls * X_URL_LENGTH;
  for (const { segment } of segmenter.segment(rest)) {
    if (EMOJI.test(segment)) {
      n += 2;
      continue;
    }
    for (const ch of segment) n += xWeight(ch.codePointAt(0) ?? 0);
  }
  return n;
}

const GSM_BASIC = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
const GSM_EXTENDED = new Set('^{}\\[~]|€\f');

/** Length in one SMS segment's unit, and that segment's capacity: GSM-7 septets (160) or UCS-2 units (70). */
function smsLength(text: string): { length: number; max: number } {
  let septets = 0;
  for (const ch of text) {
    if (GSM_BASIC.has(ch)) septets += 1;
    else if (GSM_EXTENDED.has(ch)) septets += 2;
    else return { length: text.length, max: 70 };
  }
  return { length: septets, max: 160 };
}

/** Measures a reply the way the channel does; `max` is null when the channel has no limit. */
export function measureForChannel(text: string, channel: string): { length: number; max: number | null; unit: ChannelLimit['unit'] } {
  const limit = CHANNEL_LIMITS[channel];
  if (!limit) return { length: [...segmenter.segment(text)].length, max: null, unit: 'graphemes' };
  const max = Number.isFinite(limit.max) ? limit.max : null;
  switch (limit.unit) {
    case 'x_weighted':
      return { length: xWeightedLength(text), max, unit: limit.unit };
    case 'graphemes':
      return { length: [...segmenter.segment(text)].length, max, unit: limit.unit };
    case 'utf16':
      return { length: text.length, max, unit: limit.unit };
    case 'sms': {
      const s = smsLength(text);
      return { length: s.length, max: s.max, unit: limit.unit };
    }
  }
}

/** The limits key of a conversation: private Facebook and Instagram replies are Messenger and Instagram DMs. */
export function channelLimitKey(platform: string, isPublic: boolean): string {
  if (!isPublic && platform === 'facebook') return 'messenger';
  if (!isPublic && platform === 'instagram') return 'instagram_dm';
  return platform;
}

export interface MediaFile {
  contentType: string;
  size: number;
}

/** One way a reply's files break its channel's media limits; `index` is the file's position, when one file is at fault. */
export interface MediaProblem {
  code: 'no_media' | 'too_many' | 'type' | 'too_large' | 'total_too_large' | 'not_alone';
  message: string;
  index?: number;
}

function formatBytes(n: number): string {
  if (n >= MB) return `${Math.round((n / MB) * 10) / 10} MB`;
  if (n >= 1000) return `${Math.round(n / 1000)} kB`;
  return `${n} bytes`;
}

/** Checks files against a channel's media limits (pure; shared by the composer and the reply route). Empty means fine. */
export function checkMedia(channelKey: string, files: readonly MediaFile[]): MediaProblem[] {
  if (files.length === 0) return [];
  const media = CHANNEL_LIMITS[channelKey]?.media ?? null;
  if (!media) return [{ code: 'no_media', message: `${channelKey} replies cannot carry attachments` }];
  const problems: MediaProblem[] = [];
  if (files.length > media.maxCount) {
    problems.push({ code: 'too_many', message: `${channelKey} takes at most ${media.maxCount} attachment${media.maxCount === 1 ? '' : 's'} per reply` });
  }
  let total = 0;
  files.forEach((file, index) => {
    total += file.size;
    if (!media.types.includes(file.contentType)) {
      problems.push({ code: 'type', index, message: `${channelKey} cannot carry ${file.contentType}` });
      return;
    }
    const cap = media.typeMaxBytes?.[file.contentType] ?? media.maxBytes;
    if (file.size > cap) problems.push({ code: 'too_large', index, message: `${file.contentType} on ${channelKey} is limited to ${formatBytes(cap)}` });
    if (files.length > 1 && media.alone?.includes(file.contentType)) {
      problems.push({ code: 'not_alone', index, message: `${file.contentType} must be the only attachment on ${channelKey}` });
    }
  });
  if (media.maxTotalBytes !== undefined && total > media.maxTotalBytes) {
    problems.push({ code: 'total_too_large', message: `${channelKey} attachments are limited to ${formatBytes(media.maxTotalBytes)} in total` });
  }
  return problems;
}

/**
 * Limit keys whose Parley connector delivers media today (email, X, Mastodon, Bluesky, WhatsApp). Meta's products
 * have published limits above but their adapters send text only, so the reply route refuses attachments there.
 */
export const MEDIA_DELIVERED_KEYS: ReadonlySet<string> = new Set(['x', 'bluesky', 'mastodon', 'whatsapp', 'email']);

/** Where a reply's text travels as its media's caption (WhatsApp), what is wrong with its length; null when it fits. */
export function checkCaption(channelKey: string, text: string, fileCount: number): string | null {
  const captionMax = CHANNEL_LIMITS[channelKey]?.media?.captionMax;
  if (fileCount === 0 || captionMax === undefined || text.length <= captionMax) return null;
  return `with an attachment, a ${channelKey} reply's text is its caption: at most ${captionMax} characters`;
}
