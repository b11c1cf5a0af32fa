import { describe, expect, it } from 'vitest';
import { presenceOf, recordPresence } from './presence-store.js';

describe('presence store', () => {
  it('lists other people on a conversation, typing decaying to viewing, silent viewers expiring, leavers removed', () => {
    const t = 1_000_000;
    recordPresence('c1', 'me', 'viewing', t);
    recordPresence('c1', 'bo', 'typing', t);
    recordPresence('c1', 'cy', 'viewing', t);
    recordPresence('c2', 'di', 'viewing', t);
    expect(presenceOf('c1', 'me', t + 1_000).map((p) => [p.userId, p.state])).toEqual([['bo', 'typing'], ['cy', 'viewing']]);
    expect(presenceOf('c1', 'me', t + 10_000).map((p) => [p.userId, p.state])).toEqual([['bo', 'viewing'], ['cy', 'viewing']]);
    recordPresence('c1', 'cy', 'left', t + 11_000);
    expect(presenceOf('c1', 'me', t + 12_000).map((p) => p.userId)).toEqual(['bo']);
    expect(presenceOf('c1', 'me', t + 60_000)).toEqual([]);
  });
});
