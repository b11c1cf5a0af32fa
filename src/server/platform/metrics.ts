import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface QueueProbe {
  (): Promise<{ depth: number; running: number; dead: number; oldestReadyAt: number | null; outboxDead: number; outboxRetrying: number }>;
}

/** Prometheus metrics: ingest rate, queue depth and age, stage latency, outbox failures, HTTP latency. */
export const createMetrics = (probe: QueueProbe, now: () => number) => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'parley_process_' });
  const ingested = new Counter({ name: 'parley_ingested_messages_total', help: 'Messages accepted by ingest', registers: [registry] });
  const stageSeconds = new Histogram({ name: 'parley_stage_batch_seconds', help: 'Time per pipeline stage batch', labelNames: ['stage'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry] });
  const stageMessages = new Counter({ name: 'parley_stage_messages_total', help: 'Messages handled per pipeline stage', labelNames: ['stage'], registers: [registry] });
  const jobFailures = new Counter({ name: 'parley_job_failures_total', help: 'Failed job attempts', labelNames: ['type', 'dead'], registers: [registry] });
  const outboxDelivered = new Counter({ name: 'parley_outbox_delivered_total', help: 'Outbound messages delivered', registers: [registry] });
  const outboxFailures = new Counter({ name: 'parley_outbox_failures_total', help: 'Outbound delivery failures', labelNames: ['dead'], registers: [registry] });
  const httpSeconds = new Histogram({ name: 'parley_http_request_seconds', help: 'HTTP request duration', labelNames: ['method', 'route', 'status'], buckets: [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1], registers: [registry] });
  const depth = new Gauge({ name: 'parley_queue_depth', help: 'Jobs waiting', labelNames: ['state'], registers: [registry] });
  const age = new Gauge({ name: 'parley_queue_oldest_age_seconds', help: 'Age of the oldest ready job', registers: [registry] });
  const outboxGauge = new Gauge({ name: 'parley_outbox_items', help: 'Outbox items needing attention', labelNames: ['state'], registers: [registry] });

  return {
    registry,
    ingested: (n: number) => ingested.inc(n),
    stageDuration: (stage: string, seconds: number, count: number) => {
      stageSeconds.labels(stage).observe(seconds);
      stageMessages.labels(stage).inc(count);
    },
    jobFailed: (type: string, dead: boolean) => jobFailures.labels(type, String(dead)).inc(),
    outboxDelivered: () => outboxDelivered.inc(),
    outboxFailed: (dead: boolean) => outboxFailures.labels(String(dead)).inc(),
    httpRequest: (method: string, route: string, status: number, seconds: number) => httpSeconds.labels(method, route, String(status)).observe(seconds),
    async render(): Promise<string> {
      const q = await probe();
      depth.labels('pending').set(q.depth);
      depth.labels('running').set(q.running);
      depth.labels('dead').set(q.dead);
      age.set(q.oldestReadyAt === null ? 0 : Math.max(0, (now() - q.oldestReadyAt) / 1000));
      outboxGauge.labels('dead').set(q.outboxDead);
      outboxGauge.labels('retrying').set(q.outboxRetrying);
      return registry.metrics();
    },
  };
};

export type Metrics = ReturnType<typeof createMetrics>;
