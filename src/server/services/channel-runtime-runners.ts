import type { Envelope } from '../../shared/envelope.js';
import type { ChannelAdapter, Cursor, Deletion, StreamSink } from '../connectors/port.js';
import { ConnectorError } from '../connectors/port.js';
import type { Ingest } from '../pipeline/ingest.js';
import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import type { Channel } from '../repositories/channels.repository.js';
import type { Repositories } from '../repositories/index.js';

export type IngestMode = 'stream' | 'poll' | 'webhook';

export interface RunnerOptions {
  /** How often the set of running channels is compared with the store (pause, resume, new channels, changed settings). */
  reconcileMs?: number;
  /** Wait between polls; a channel may set `config.pollIntervalSeconds`. */
  pollIntervalMs?: number;
  /** Reconnect backoff after a failure: doubles from start to cap; a permanent error waits the cap. */
  backoffStartMs?: number;
  backoffCapMs?: number;
}

export interface RunnerHealth {
  mode: IngestMode | null;
  running: boolean;
  /** Streams only: connected right now (per the adapter's health events). */
  connected: boolean | null;
  /** Seconds from the newest delivered message's creation to its ingest. */
  lagSeconds: number | null;
  restarts: number;
}

interface Runner {
  key: string;
  mode: IngestMode;
  controller: AbortController;
  done: Promise<void>;
  connected: boolean | null;
  lagSeconds: number | null;
  restarts: number;
}

export interface RunnerDeps {
  repos: Repositories;
  clock: Clock;
  logger: Logger;
  ingest: Ingest;
  build(channel: Channel): Promise<{ key: string; adapter: ChannelAdapter; mode: IngestMode } | null>;
  options?: RunnerOptions;
  /** Housekeeping on the scheduler's beat (releasing what paused channels held once they resume). */
  afterReconcile?(): Promise<void>;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Stream and poll runners for the scheduler role: one per active channel whose adapter streams or polls.
 * Envelopes are ingested before the cursor that follows them is saved, so a crash or reconnect resumes at the
 * last durable point (and ingest dedupes what the platform replays); failures reconnect with backoff.
 */
export const createChannelRunners = (deps: RunnerDeps) => {
  const { repos, clock, logger, ingest } = deps;
  const reconcileMs = deps.options?.reconcileMs ?? 2_000;
  const backoffStartMs = deps.options?.backoffStartMs ?? 1_000;
  const backoffCapMs = deps.options?.backoffCapMs ?? 5 * 60_000;
  const running = new Map<string, Runner>();

  const run = (channel: Channel, adapter: ChannelAdapter, runner: Runner): Promise<void> => {
    const signal = runner.controller.signal;
    let cursor: Cursor = channel.cursor;
    let chain: Promise<void> = Promise.resolve();

    // Deliveries are chained so cursors are saved in the order the adapter produced them.
    const deliver = (envelopes: Envelope[], deletions: Deletion[], next: Cursor): Promise<void> => {
      const step = chain.then(async () => {
        if (envelopes.length + deletions.length > 0) await ingest(envelopes, deletions);
        if (next !== cursor) {
          await repos.channels.setCursor(channel.id, next, clock.now());
          cursor = next;
        }
        const newest = envelopes.reduce((max, e) => Math.max(max, Date.parse(e.createdAt) || 0), 0);
        if (newest > 0) runner.lagSeconds = Math.max(0, (clock.now() - newest) / 1000);
      });
      chain = step.catch(() => undefined);
      return step;
    };
    const sink: StreamSink = {
      deliver,
      health(event) {
        if (event.type === 'connected') runner.connected = true;
        if (event.type === 'disconnected') runner.connected = false;
        if (event.type === 'connected' && channel.lastError !== null) {
          channel.lastError = null;
          repos.channels.recordError(channel.id, null, clock.now()).catch(() => undefined);
        }
        if (event.type === 'error' && event.detail) {
          channel.lastError = event.detail;
          repos.channels.recordError(channel.id, event.detail, clock.now()).catch(() => undefined);
        }
      },
    };
    const pollIntervalMs = typeof channel.config.pollIntervalSeconds === 'number' ? channel.config.pollIntervalSeconds * 1000 : (deps.options?.pollIntervalMs ?? 60_000);

    return (async () => {
      let failures = 0;
      while (!signal.aborted) {
        let waitMs = 0;
        try {
          if (runner.mode === 'stream' && adapter.stream) {
            await adapter.stream(sink, cursor, signal);
            // A stream that ends by itself was dropped by the platform: reconnect at once, as the platforms advise.
            if (!signal.aborted) runner.restarts += 1;
          } else if (adapter.poll) {
            const result = await adapter.poll(cursor, signal);
            await deliver(result.envelopes, result.deletions, result.cursor);
            if (channel.lastError !== null) {
              channel.lastError = null;
              await repos.channels.recordError(channel.id, null, clock.now());
            }
            waitMs = pollIntervalMs;
          } else return;
          failures = 0;
        } catch (error) {
          if (signal.aborted) break;
          failures += 1;
          runner.restarts += 1;
          runner.connected = runner.mode === 'stream' ? false : null;
          const reason = messageOf(error);
          channel.lastError = reason;
          await repos.channels.recordError(channel.id, reason, clock.now()).catch(() => undefined);
          const permanent = error instanceof ConnectorError && !error.retryable;
          const hinted = error instanceof ConnectorError ? (error.retryAfterMs ?? 0) : 0;
          waitMs = Math.max(hinted, permanent ? backoffCapMs : Math.min(backoffCapMs, backoffStartMs * 2 ** Math.min(failures - 1, 20)));
          logger.warn({ channelId: channel.id, platform: channel.platform, mode: runner.mode, reason, retryInMs: waitMs }, 'channel runner failed; retrying');
        }
        await sleep(waitMs, signal);
      }
      // Let the last delivery settle before the runner counts as stopped.
      await chain;
    })();
  };

  const stopOne = async (channelId: string): Promise<void> => {
    const runner = running.get(channelId);
    if (!runner) return;
    running.delete(channelId);
    runner.controller.abort();
    await runner.done.catch(() => undefined);
  };

  const reconcile = async (): Promise<void> => {
    const channels = await repos.channels.list();
    const wanted = new Set<string>();
    for (const channel of channels) {
      if (channel.status !== 'active') continue;
      const built = await deps.build(channel);
      if (!built || built.mode === 'webhook') continue;
      wanted.add(channel.id);
      const current = running.get(channel.id);
      if (current?.key === built.key && current.mode === built.mode) continue;
      // Settings changed: stop the old runner first so its last cursor is saved, then resume from the store.
      if (current) await stopOne(channel.id);
      const fresh = current ? ((await repos.channels.get(channel.id)) ?? channel) : channel;
      const runner: Runner = { key: built.key, mode: built.mode, controller: new AbortController(), done: Promise.resolve(), connected: built.mode === 'stream' ? false : null, lagSeconds: null, restarts: current?.restarts ?? 0 };
      runner.done = run(fresh, built.adapter, runner);
      running.set(channel.id, runner);
    }
    for (const id of [...running.keys()]) if (!wanted.has(id)) await stopOne(id);
    await deps.afterReconcile?.();
  };

  let timer: NodeJS.Timeout | null = null;
  let reconciling: Promise<void> = Promise.resolve();
  let pendingTicks = 0;
  const tick = (): void => {
    // A slow store must not pile up reconciles: at most one waits behind the running one.
    if (pendingTicks > 1) return;
    pendingTicks += 1;
    reconciling = reconciling
      .then(reconcile)
      .catch((error: unknown) => logger.error({ err: messageOf(error) }, 'channel runner reconcile failed'))
      .finally(() => {
        pendingTicks -= 1;
      });
  };

  return {
    /** Start (or restart) runners for active channels and keep them in step with the store. */
    start(): void {
      if (timer) return;
      tick();
      timer = setInterval(tick, reconcileMs);
    },
    /** Compare running channels with the store now (tests, and after a channel changes in this process). */
    async reconcile(): Promise<void> {
      tick();
      await reconciling;
    },
    /** Stop one channel's runner; the next reconcile starts it again from its saved cursor (a forced reconnect). */
    restart: stopOne,
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await reconciling;
      await Promise.all([...running.keys()].map(stopOne));
    },
    healthOf(channelId: string, mode: IngestMode | null): RunnerHealth {
      const runner = running.get(channelId);
      return { mode: runner?.mode ?? mode, running: Boolean(runner), connected: runner?.connected ?? null, lagSeconds: runner?.lagSeconds ?? null, restarts: runner?.restarts ?? 0 };
    },
  };
};

export type ChannelRunners = ReturnType<typeof createChannelRunners>;
