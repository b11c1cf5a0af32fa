import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

/** Time-ordered unique id (ULID): sorts by creation time, so keyset pagination can use it as a tie-breaker. */
export const newId = (): string => nextUlid();
