/** How a platform measures a reply and how much it accepts in one message. */
export interface ChannelLimit {
  /** x: X's weighted count; graphemes: user-perceived characters; utf16: JS length; sms: one GSM-7/UCS-2 segment. */
  unit: 'x_weighted' | 'graphemes' | 'utf16' | 'sms';
  /** Maximum in `unit`; for sms this is the GSM-7 figure (UCS-2 texts get 70). */
  max: number;
  /** html channels get variable values HTML-escaped. */
  format: 'text' | 'html';
}

/** Published per-message limits (platform documentation, late 2026). Unknown channels have no limit. */
export const CHANNEL_LIMITS: Readonly<Record<string, ChannelLimit>> = Object.freeze({
  x: { unit: 'x_weighted', max: 280, format: 'text' },
  bluesky: { unit: 'graphemes', max: 300, format: 'text' },
  mastodon: { unit: 'graphemes', max: 500, format: 'text' },
  messenger: { unit: 'utf16', max: 2000, format: 'text' },
  facebook: { unit: 'utf16', max: 8000, format: 'text' },
  instagram: { unit: 'utf16', max: 2200, format: 'text' },
  instagram_dm: { unit: 'utf16', max: 1000, format: 'text' },
  whatsapp: { unit: 'utf16', max: 4096, format: 'text' },
  reddit: { unit: 'utf16', max: 10000, format: 'text' },
  sms: { unit: 'sms', max: 160, format: 'text' },
  email: { unit: 'utf16', max: Number.POSITIVE_INFINITY, format: 'html' },
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
