import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeTime } from 'ulid';
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

  afterEach(() => {
    vi.restoreAllMocks();
  });

  const base32 = (s: string): bigint => [...s].reduce((n, c) => n * 32n + BigInt('0123456789ABCDEFGHJKMNPQRSTVWXYZ'.indexOf(c)), 0n);

  it('within one millisecond, and when the clock steps back, counts the random part of the last id up by one', () => {
    const now = vi.spyOn(Date, 'now').mockReturnValue(1_900_000_000_000);
    const ids = Array.from({ length: 100 }, () => newId());
    now.mockReturnValue(1_800_000_000_000);
    ids.push(newId());
    for (let i = 1; i < ids.length; i += 1) {
      expect(ids[i]!.slice(0, 10)).toBe(ids[0]!.slice(0, 10));
      expect(base32(ids[i]!.slice(10)) - base32(ids[i - 1]!.slice(10))).toBe(1n);
    }
    expect(decodeTime(ids[0]!)).toBe(1_900_000_000_000);
    // A later millisecond starts a new random part under the new time.
    now.mockReturnValue(1_900_000_000_001);
    const later = newId();
    expect(decodeTime(later)).toBe(1_900_000_000_001);
    expect(later > ids[ids.length - 1]!).toBe(true);
  });
});

