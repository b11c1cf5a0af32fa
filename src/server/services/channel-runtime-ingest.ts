import type { Envelope } from '../../shared/envelope.js';
import type { Deletion } from '../connectors/port.js';
import type { Ingest, IngestResult } from '../pipeline/ingest.js';

interface Pending {
  envelopes: readonly Envelope[];
  deletions: readonly Deletion[];
  resolve(result: IngestResult): void;
  reject(error: unknown): void;
}

/**
 * Group commit for webhook deliveries: calls that arrive while a transaction is open are ingested together in
 * the next one, so a burst costs one commit per batch instead of one per delivery, and a lone delivery waits
 * for nothing. Each caller's promise resolves only once its envelopes are durable. When a batch fails, its
 * deliveries are retried one by one so a bad one fails alone. Results are the batch's totals.
 */
export const createIngestBatcher = (ingest: Ingest, maxEnvelopes = 1000) => {
  const queue: Pending[] = [];
  let flushing = false;

  const take = (): Pending[] => {
    const batch: Pending[] = [];
    let size = 0;
    while (queue.length > 0 && (batch.length === 0 || size + (queue[0]?.envelopes.length ?? 0) <= maxEnvelopes)) {
      const next = queue.shift() as Pending;
      size += next.envelopes.length;
      batch.push(next);
    }
    return batch;
  };

  const flush = async (): Promise<void> => {
    flushing = true;
    while (queue.length > 0) {
      const batch = take();
      try {
        const result = await ingest(batch.flatMap((p) => p.envelopes), batch.flatMap((p) => p.deletions));
        for (const p of batch) p.resolve(result);
      } catch (error) {
        if (batch.length === 1) batch[0]?.reject(error);
        else for (const p of batch) await ingest(p.envelopes, p.deletions).then(p.resolve, p.reject);
      }
    }
    flushing = false;
  };

  return (envelopes: readonly Envelope[], deletions: readonly Deletion[] = []): Promise<IngestResult> =>
    new Promise<IngestResult>((resolve, reject) => {
      queue.push({ envelopes, deletions, resolve, reject });
      if (!flushing) void flush();
    });
};
