import type { ChannelAdapter, Cursor, Deletion } from '../port.js';
import type { Envelope } from '../../../shared/envelope.js';
import type { Collected, ContractFixture } from './types.js';

export interface CollectOptions {
  cursor?: Cursor;
  /** Stop once these externalIds were seen as envelopes or deletions (streams never end on their own). */
  until: string[];
  timeoutMs?: number;
}

function seenAll(envelopes: Envelope[], deletions: Deletion[], until: string[]): boolean {
  const seen = new Set([...envelopes.map((e) => e.externalId), ...deletions.map((d) => d.externalId)]);
  return until.every((id) => seen.has(id));
}

/** Take in whatever the adapter produces now, whichever way it ingests (webhook, poll or stream). */
export async function collectInbound(fixture: ContractFixture, adapter: ChannelAdapter, options: CollectOptions): Promise<Collected> {
  const envelopes: Envelope[] = [];
  const deletions: Deletion[] = [];
  let cursor: Cursor = options.cursor ?? null;
  // Only a failing collect waits this long (it ends once `until` is seen): room for a fake server on a busy machine.
  const timeoutMs = options.timeoutMs ?? 20_000;
  const inbound = fixture.inbound;

  if (inbound.mode === 'webhook') {
    if (!adapter.handleWebhook) throw new Error('a webhook fixture needs adapter.handleWebhook');
    for (const request of await inbound.takeRequests()) {
      const result = await adapter.handleWebhook(request);
      if (result.type !== 'events') throw new Error(`signed delivery was not accepted: ${JSON.stringify(result)}`);
      envelopes.push(...result.envelopes);
      deletions.push(...result.deletions);
    }
    return { envelopes, deletions, cursor };
  }

  if (inbound.mode === 'poll') {
    if (!adapter.poll) throw new Error('a poll fixture needs adapter.poll');
    const deadline = Date.now() + timeoutMs;
    // Poll until an empty page after everything expected arrived: a page may hold only part of the backlog.
    while (Date.now() < deadline) {
      const page = await adapter.poll(cursor);
      envelopes.push(...page.envelopes);
      deletions.push(...page.deletions);
      cursor = page.cursor;
      const empty = page.envelopes.length === 0 && page.deletions.length === 0;
      if (empty && seenAll(envelopes, deletions, options.until)) break;
      if (empty) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { envelopes, deletions, cursor };
  }

  if (!adapter.stream) throw new Error('a stream fixture needs adapter.stream');
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const running = adapter.stream(
    {
      async deliver(batch, removed, next) {
        envelopes.push(...batch);
        deletions.push(...removed);
        cursor = next;
        if (seenAll(envelopes, deletions, options.until)) controller.abort();
      },
      health() {},
    },
    cursor,
    controller.signal,
  );
  try {
    await running;
  } finally {
    clearTimeout(timer);
  }
  return { envelopes, deletions, cursor };
}
