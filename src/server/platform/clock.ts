/** Time source; tests and simulations pass their own. All times are epoch milliseconds. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock the caller moves by hand (tests, simulated demo time). */
export const createManualClock = (start = Date.UTC(2026, 0, 1)): Clock & { advance(ms: number): void; set(ms: number): void } => {
  let current = start;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
    set: (ms) => {
      current = ms;
    },
  };
};
