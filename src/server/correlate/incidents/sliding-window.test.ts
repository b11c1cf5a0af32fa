import { describe, expect, it } from 'vitest';
import { hasPair, pairKey, termPairs } from './sliding-window.js';

describe('the pairs of a window entry', () => {
  it('hasPair answers as termPairs(terms).includes would, for pairs in and past the first twelve terms', () => {
    const words = Array.from({ length: 20 }, (_, i) => `w${i}`);
    let seed = 5;
    const rand = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (let n = 0; n < 200; n += 1) {
      const terms = words.filter(() => rand() < 0.7).sort(() => rand() - 0.5);
      const pairs = new Set(termPairs(terms));
      for (const a of words) for (const b of words) if (a !== b) expect(hasPair(terms, pairKey(a, b))).toBe(pairs.has(pairKey(a, b)));
    }
  });
});
