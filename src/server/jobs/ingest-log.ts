import { createHash } from 'node:crypto';
import { AckPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { envelopeSchema, type Envelope } from '../../shared/envelope.js';
import { isAppError } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';

export interface IngestLogOptions {
  url: string;
  /** Stream name (default PARLEY_INGEST); tests use their own. */
  stream?: string;
  logger: Logger;
  /** Partitions by conversation key: one conversation's messages are stored in order. */
  partitions?: number;
  batchSize?: number;
}

/** Where a message's conversation will be: the thread key (X conversation_id, email root), else its parent, else itself. */
export const partitionOf = (e: Envelope, partitions: number): number => {
  const key = `${e.channelId}\u0000${e.threadKey ?? e.inReplyTo ?? e.externalId}`;
  return createHash('sha1').update(key).digest().readUInt32BE(0) % partitions;
};

/**
 * The NATS JetStream ingest log (scale mode): webhooks and the API append Envelopes to a durable stream and are
 * acknowledged once JetStream has stored them; workers consume the log in batches per partition and write them
 * into the store through the ordinary ingest, acknowledging each batch only after it committed. JetStream drops
 * duplicate appends by message id within its window; the store's unique key catches the rest.
 */
export const createIngestLog = async (options: IngestLogOptions) => {
  const stream = options.stream ?? 'PARLEY_INGEST';
  const subjectPrefix = `${stream.toLowerCase()}.p`;
  const partitions = options.partitions ?? 8;
  const batchSize = options.batchSize ?? 500;
  const nc: NatsConnection = await connect({ servers: options.url, name: 'parley' });
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(stream);
  } catch {
    await jsm.streams.add({ name: stream, subjects: [`${subjectPrefix}.*`], duplicate_window: 2 * 60 * 1_000_000_000 });
  }
  for (let p = 0; p < partitions; p += 1) {
    const durable = `parley-ingest-${p}`;
    try {
      await jsm.consumers.info(stream, durable);
    } catch {
      // One batch in flight per partition across all workers keeps each conversation in order.
      await jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, filter_subject: `${subjectPrefix}.${p}`, max_ack_pending: batchSize, ack_wait: 60 * 1_000_000_000 });
    }
  }
  const js = jetstream(nc);
  let running = false;
  let loop: Promise<void> | null = null;

  const consumePartition = async (p: number, ingest: (envelopes: Envelope[]) => Promise<unknown>): Promise<number> => {
    const consumer = await js.consumers.get(stream, `parley-ingest-${p}`);
    // Asking first keeps an idle partition from holding the loop for a whole fetch expiry.
    if ((await consumer.info(false)).num_pending === 0) return 0;
    const batch = await consumer.fetch({ max_messages: batchSize, expires: 1000 });
    const messages: JsMsg[] = [];
    for await (const m of batch) messages.push(m);
    if (messages.length === 0) return 0;
    let pending = messages.map((m) => ({ m, e: envelopeSchema.safeParse(m.json()) }));
    for (const bad of pending.filter((x) => !x.e.success)) bad.m.term('not an Envelope');
    pending = pending.filter((x) => x.e.success);
    while (pending.length > 0) {
      try {
        await ingest(pending.map((x) => x.e.data as Envelope));
        break;
      } catch (error) {
        // A message for a channel that no longer exists cannot succeed: drop it with a reason, keep the rest.
        const index = isAppError(error) && error.field ? /envelopes\[(\d+)\]/.exec(error.field)?.[1] : undefined;
        if (index === undefined) {
          for (const x of pending) x.m.nak(5000);
          throw error;
        }
        const [dropped] = pending.splice(Number(index), 1);
        dropped?.m.term(error instanceof Error ? error.message : 'rejected');
        options.logger.warn({ reason: error instanceof Error ? error.message : String(error) }, 'ingest log entry rejected');
      }
    }
    for (const x of pending) x.m.ack();
    return messages.length;
  };

  return {
    partitions,
    /** Resolves once JetStream stored every envelope: that is the acknowledgement the caller may give. */
    async append(envelopes: readonly Envelope[]): Promise<{ appended: number; duplicates: number }> {
      const acks = await Promise.all(
        envelopes.map((e) =>
          js.publish(`${subjectPrefix}.${partitionOf(e, partitions)}`, JSON.stringify(e), { msgID: `${e.channelId}:${e.externalId}:${e.editedAt ?? ''}` }),
        ),
      );
      const duplicates = acks.filter((a) => a.duplicate).length;
      return { appended: acks.length - duplicates, duplicates };
    },
    /** Consumes every partition into the store until stopped. */
    start(ingest: (envelopes: Envelope[]) => Promise<unknown>) {
      if (running) return;
      running = true;
      loop = (async () => {
        while (running) {
          let handled = 0;
          for (let p = 0; p < partitions && running; p += 1) {
            try {
              handled += await consumePartition(p, ingest);
            } catch (error) {
              options.logger.error({ err: error, partition: p }, 'ingest log batch failed; it will be redelivered');
            }
          }
          if (handled === 0) await new Promise((r) => setTimeout(r, 50));
        }
      })();
    },
    /** Consumes until the log is empty (tests, CLI). */
    async drain(ingest: (envelopes: Envelope[]) => Promise<unknown>): Promise<number> {
      let total = 0;
      for (;;) {
        let handled = 0;
        for (let p = 0; p < partitions; p += 1) handled += await consumePartition(p, ingest);
        total += handled;
        if (handled === 0) return total;
      }
    },
    async stop() {
      running = false;
      await loop;
    },
    async close() {
      running = false;
      await loop;
      await nc.drain();
    },
    /** Removes the stream and its consumers (tests). */
    async destroy() {
      await jsm.streams.delete(stream);
    },
  };
};

export type IngestLog = Awaited<ReturnType<typeof createIngestLog>>;
