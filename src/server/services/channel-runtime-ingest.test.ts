import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../shared/envelope.js';
import type { IngestResult } from '../pipeline/ingest.js';
import { createIngestBatcher } from './channel-runtime-ingest.js';

const envelope = (externalId: string) => ({ channelId: 'c1', externalId }) as Envelope;
const result = (n: number): IngestResult => ({ accepted: n, duplicates: 0, edited: 0, deleted: 0, messageIds: [] });

describe('webhook ingest group commit', () => {
  it('ingests deliveries that arrive during a commit together in the next one', async () => {
    const calls: string[][] = [];
    const ingest = async (envelopes: readonly Envelope[]) => {
      calls.push(envelopes.map((e) => e.externalId));
      await new Promise((resolve) => setTimeout(resolve, 5));
      return result(envelopes.length);
    };
    const batched = createIngestBatcher(ingest);
    await Promise.all(['a', 'b', 'c', 'd'].map((id) => batched([envelope(id)])));
    expect(calls).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('retries a failed batch delivery by delivery so only the bad one fails', async () => {
    const ingest = async (envelopes: readonly Envelope[]) => {
      if (envelopes.some((e) => e.externalId === 'bad')) throw new Error('bad envelope');
      return result(envelopes.length);
    };
    const batched = createIngestBatcher(ingest);
    const first = batched([envelope('a')]);
    const outcomes = await Promise.allSettled([first, batched([envelope('b')]), batched([envelope('bad')]), batched([envelope('c')])]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  });
});
