import { describe, expect, it } from 'vitest';
import { newId } from './ids.js';

describe('newId', () => {
  it('gives unique, strictly increasing 26-character ULIDs across pool refills', () => {
    let previous = '';
    const seen = new Set<string>();
    for (let i = 0; i < 50_000; i += 1) {
      const id = newId();
      expect(id > previous).toBe(true);
      previous = id;
      seen.add(id);
    }
    expect(seen.size).toBe(50_000);
    expect(previous).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('uses every character of the alphabet in the random part', () => {
    // Fresh milliseconds draw a new random part; across many ids every Crockford base32 character shows up.
    const chars = new Set<string>();
    for (let i = 0; i < 2000; i += 1) for (const c of newId().slice(10)) chars.add(c);
    expect(chars.size).toBe(32);
  });
});
