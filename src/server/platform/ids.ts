import { randomFillSync } from 'node:crypto';
import { encodeTime, ULIDError, ULIDErrorCode } from 'ulid';

/** Crockford's base32, the ULID alphabet, as character codes. */
const ALPHABET = Array.from('0123456789ABCDEFGHJKMNPQRSTVWXYZ', (c) => c.charCodeAt(0));
const RANDOM_LENGTH = 16;

// One crypto call per 4 KiB of random digits instead of one per digit. Same source (the OS CSPRNG), same
// distribution: each byte's low five bits are one uniform base32 digit.
const pool = new Uint8Array(4096);
let offset = pool.length;
const randomDigit = (): number => {
  if (offset >= pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  return pool[offset++]! & 31;
};

// The monotonic ULID of the `ulid` package (its monotonicFactory): a new millisecond draws a new random part; within
// one millisecond (or if the clock steps back) the random part of the last id is incremented. The package builds
// both parts as strings character by character, again for every id: about 750 bytes of garbage per id, and the
// pipeline makes several ids per message. Here the time part is encoded once per millisecond (with the package's
// encodeTime) and the random part kept as digits, each id one string of 26 characters.
let lastTime = -1;
let timeCodes: number[] = [];
const digits = new Uint8Array(RANDOM_LENGTH);
const codes: number[] = new Array<number>(10 + RANDOM_LENGTH).fill(0);

const incrementRandom = (): void => {
  for (let i = RANDOM_LENGTH - 1; i >= 0; i -= 1) {
    if (digits[i]! < 31) {
      digits[i] = digits[i]! + 1;
      return;
    }
    digits[i] = 0;
  }
  throw new ULIDError(ULIDErrorCode.Base32IncorrectEncoding, 'the random part of the ULID overflowed within one millisecond');
};

/** Time-ordered unique id (ULID): sorts by creation time, so keyset pagination can use it as a tie-breaker. */
export const newId = (): string => {
  const now = Date.now();
  if (now > lastTime) {
    lastTime = now;
    timeCodes = Array.from(encodeTime(now), (c) => c.charCodeAt(0));
    for (let i = 0; i < RANDOM_LENGTH; i += 1) digits[i] = randomDigit();
  } else {
    incrementRandom();
  }
  for (let i = 0; i < 10; i += 1) codes[i] = timeCodes[i]!;
  for (let i = 0; i < RANDOM_LENGTH; i += 1) codes[10 + i] = ALPHABET[digits[i]!]!;
  return String.fromCharCode.apply(null, codes);
};
