/**
 * A compact confusables table in the spirit of Unicode TR39's skeletons: characters that render like
 * a Latin letter fold to it. Digits and symbols fold to the letters they imitate in handles.
 */
const SINGLE: Readonly<Record<string, string>> = {
  // Cyrillic
  а: 'a', в: 'b', е: 'e', ё: 'e', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', к: 'k', м: 'm', т: 't', н: 'h',
  і: 'l', ї: 'l', ј: 'j', ѕ: 's', ԁ: 'd', ԛ: 'q', ԝ: 'w', һ: 'h', ӏ: 'l', г: 'r', п: 'n', ь: 'b', з: 'e',
  // Greek
  α: 'a', β: 'b', ε: 'e', ι: 'l', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', γ: 'y', ω: 'w', η: 'n',
  // Latin look-alikes
  ı: 'l', ł: 'l', ø: 'o', đ: 'd', ħ: 'h', ɑ: 'a', ɡ: 'g', ʟ: 'l', ɪ: 'l', ᴏ: 'o', ß: 'b',
  // Digits and symbols used as letters
  '0': 'o', '1': 'l', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g', $: 's', '@': 'a', '|': 'l', '!': 'l',
  // I and l are indistinguishable in many fonts, so both fold to l.
  i: 'l',
};
// Letter pairs that render like one letter; folded after single characters.
const PAIRS: readonly [RegExp, string][] = [
  [/rn/g, 'm'],
  [/vv/g, 'w'],
  [/cl/g, 'd'],
];
const SEPARATORS = /[\s_.\-·•]+/g;

/** Folds a handle or name to its look-alike skeleton: two strings that look the same share a skeleton. */
export function foldConfusables(input: string): string {
  const base = input.normalize('NFKC').toLowerCase().normalize('NFD').replace(/\p{M}+/gu, '');
  let out = '';
  for (const ch of base) out += SINGLE[ch] ?? ch;
  for (const [re, to] of PAIRS) out = out.replace(re, to);
  return out.replace(SEPARATORS, '');
}
