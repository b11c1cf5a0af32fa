import { describe, expect, it } from 'vitest';
import { pushTo } from './collections.js';

describe('pushTo', () => {
  it('groups values under their key in the order added, growing each group in place', () => {
    const groups = new Map<string, number[]>();
    pushTo(groups, 'a', 1);
    const a = groups.get('a');
    pushTo(groups, 'b', 2);
    pushTo(groups, 'a', 3, 4);
    expect([...groups]).toEqual([['a', [1, 3, 4]], ['b', [2]]]);
    expect(groups.get('a')).toBe(a);
  });
});
