import type { ParleyApp } from '../app.js';
import { createManualClock } from '../platform/clock.js';
import { createDemoSimulator } from './simulator.js';
import type { DemoChannels } from './seed.js';

/**
 * A fresh demo gets a few hours of quiet, already handled history: the inbox looks lived in, and the incident
 * detector has the everyday baseline it needs before it will call a burst an outage (it waits for one).
 */
export const seedDemoHistory = async (app: ParleyApp, channels: DemoChannels, options: { hours?: number; messages?: number } = {}): Promise<number> => {
  const hours = options.hours ?? 3;
  const messages = options.messages ?? 500;
  const spanMs = hours * 3_600_000;
  const clock = createManualClock(Date.now() - spanMs);
  // No outage in the history: its first burst would come after a third of this interval.
  const history = createDemoSimulator({ ingest: (envelopes) => app.services.ingest(envelopes), channels, clock, seed: 7, outageEveryMs: 100 * spanMs });
  let ingested = 0;
  const step = (spanMs - 15 * 60_000) / messages;
  while (ingested < messages) {
    ingested += await history.tick();
    clock.advance(step);
  }
  await app.worker.drain();
  // Handled history: resolve what the pipeline opened, so today's inbox starts clean.
  const now = Date.now();
  for (;;) {
    const open = await app.repos.conversations.list({ status: 'open' }, null, 200);
    if (open.length === 0) break;
    for (const c of open) await app.repos.conversations.setStatus(c.id, 'resolved', now);
  }
  await app.worker.drain();
  return ingested;
};
