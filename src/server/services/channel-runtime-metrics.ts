import { Gauge, type Registry } from 'prom-client';

export interface ChannelGaugeSource {
  channelId: string;
  platform: string;
  status: string;
  lastEventAt: number | null;
  lastError: string | null;
  running: boolean;
  connected: boolean | null;
  lagSeconds: number | null;
  restarts: number;
  heldDeliveries: number;
}

/**
 * Per-channel health in /metrics, read from the store and the runners at scrape time so every process reports
 * what it knows (webhook channels from any web process, runner state from the scheduler).
 */
export const registerChannelGauges = (registry: Registry, source: () => Promise<ChannelGaugeSource[]>, now: () => number): void => {
  const labelNames = ['channel', 'platform'] as const;
  // One read per scrape shared by every gauge: prom-client collects the gauges concurrently.
  let pending: Promise<void> | null = null;
  const collect = (): Promise<void> =>
    (pending ??= refresh().finally(() => {
      pending = null;
    }));
  const gauge = (name: string, help: string) => new Gauge({ name, help, labelNames, registers: [registry], collect });
  const lastEvent = gauge('parley_channel_last_event_timestamp_seconds', 'When the channel last delivered a new message (0: never)');
  const silence = gauge('parley_channel_seconds_since_last_event', 'Seconds since the channel last delivered a new message (-1: never)');
  const lag = gauge('parley_channel_lag_seconds', 'Seconds from the newest message (streamed, polled or pushed by webhook) being posted to its ingest');
  const connected = gauge('parley_channel_connected', 'Stream or poll runner running and, for streams, connected (1) or not (0)');
  const failing = gauge('parley_channel_error', 'The channel has an unresolved error (1) or not (0)');
  const restarts = gauge('parley_channel_runner_restarts', 'Reconnects and failed polls since this process started');
  const held = gauge('parley_channel_held_deliveries', 'Deliveries a paused channel acknowledged and keeps until it resumes');

  async function refresh(): Promise<void> {
    const channels = await source();
    for (const g of [lastEvent, silence, lag, connected, failing, restarts, held]) g.reset();
    for (const c of channels) {
      if (c.status === 'removed') continue;
      const labels = { channel: c.channelId, platform: c.platform };
      lastEvent.set(labels, c.lastEventAt === null ? 0 : c.lastEventAt / 1000);
      silence.set(labels, c.lastEventAt === null ? -1 : Math.max(0, (now() - c.lastEventAt) / 1000));
      if (c.lagSeconds !== null) lag.set(labels, c.lagSeconds);
      if (c.running) connected.set(labels, c.connected === false ? 0 : 1);
      failing.set(labels, c.lastError ? 1 : 0);
      restarts.set(labels, c.restarts);
      held.set(labels, c.heldDeliveries);
    }
  }
};
