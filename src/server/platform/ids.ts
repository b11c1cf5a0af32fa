import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

// ulid draws one random number per character; a pooled buffer turns sixteen small crypto calls per id into one
// call per 4 KiB of ids. Same source (the OS CSPRNG), same distribution.
const pool = new Uint8Array(4096);
let offset = pool.length;
const pooledRandom = (): number => {
  if (offset >= pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  return pool[offset++]! / 256;
};

const nextUlid = monotonicFactory(pooledRandom);

/** Time-ordered unique id (ULID): sorts by creation time, so keyset pagination can use it as a tie-breaker. */
export const newId = (): string => nextUlid();
