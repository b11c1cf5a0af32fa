import type { OfficialIdentity } from './impostor/index.js';

export interface OfficialAccount {
  /** null when the brand lists the handle without saying where. */
  platform: string | null;
  handle: string;
  brand: string;
}

const generic = new Set(['the', 'and', 'inc', 'ltd', 'llc', 'co', 'company', 'group', 'x', 'email', 'facebook', 'instagram', 'reddit', 'mastodon', 'bluesky', 'whatsapp', 'support', 'help', 'official']);

/** Brand words from names like "Acme Telecom" or "acme-telecom": the distinctive words, plus the name run together. */
export const brandWordsOf = (names: readonly string[]): string[] => {
  const words = new Set<string>();
  for (const name of names) {
    const parts = name.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 3 && !generic.has(w));
    for (const w of parts) words.add(w);
    if (parts.length > 1) words.add(parts.join(''));
  }
  return [...words];
};

/** The identity impostors are scored against: handles without their platform prefixes, and brand words. */
export const officialIdentityOf = (handles: readonly string[], brandNames: readonly string[]): OfficialIdentity => {
  const clean = handles.map((h) => h.replace(/^u\//, '').replace(/^@/, '').split('@')[0] ?? h).filter(Boolean);
  return { handles: clean, brandWords: brandWordsOf([...brandNames, ...clean.map((h) => h.replace(/_(support|help|care)$/i, ''))]), displayNames: [...brandNames] };
};
