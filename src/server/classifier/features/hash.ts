/** FNV-1a over UTF-16 code units with a murmur3 finaliser: cheap, and its low bits are well mixed so models can mask them. */

export const FNV_OFFSET = 0x811c9dc5;

export function mixChar(h: number, code: number): number {
  return Math.imul(h ^ code, 0x01000193);
}

export function finalise(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of a string under a namespace seed, so words, bigrams and cues never share buckets by design. */
export function hashString(text: string, seed: number): number {
  let h = mixChar(FNV_OFFSET, seed);
  for (let i = 0; i < text.length; i++) h = mixChar(h, text.charCodeAt(i));
  return finalise(h);
}
