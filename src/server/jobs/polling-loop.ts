/**
 * Runs `round` again and again until stopped. A round returns how much it handled; after an empty round the
 * loop sleeps `idleDelayMs` unless woken (new work in this process). `drain` runs rounds until one is empty.
 */
export const createPollingLoop = (round: () => Promise<number>, options: { idleDelayMs: number; onError(error: unknown): void }) => {
  let running = false;
  let loop: Promise<void> | null = null;
  let wakeUp: (() => void) | null = null;
  let pendingWake = false;

  return {
    start(): void {
      if (running) return;
      running = true;
      loop = (async () => {
        while (running) {
          let handled = 0;
          try {
            handled = await round();
          } catch (error) {
            options.onError(error);
          }
          if (handled === 0 && running && !pendingWake) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, options.idleDelayMs);
              wakeUp = () => {
                clearTimeout(timer);
                resolve();
              };
            });
            wakeUp = null;
          }
          pendingWake = false;
        }
      })();
    },
    async stop(): Promise<void> {
      running = false;
      wakeUp?.();
      await loop;
      loop = null;
    },
    wake(): void {
      pendingWake = true;
      wakeUp?.();
    },
    async drain(): Promise<number> {
      let total = 0;
      for (;;) {
        const handled = await round();
        if (handled === 0) return total;
        total += handled;
      }
    },
  };
};
