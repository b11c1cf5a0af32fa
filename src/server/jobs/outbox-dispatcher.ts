import type { ChannelAdapter, OutboundMessage } from '../connectors/port.js';
import { ConnectorError } from '../connectors/port.js';
import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';
import type { OutboxItem } from '../repositories/outbox.repository.js';
import { createPollingLoop } from './polling-loop.js';
import { backoffMs } from './worker.js';

export interface OutboxDispatcherOptions {
  repos: Repositories;
  uow: UnitOfWork;
  clock: Clock;
  logger: Logger;
  /** Adapter for a channel, or null when the channel has none that can send. */
  adapterFor(channelId: string): Promise<ChannelAdapter | null>;
  onDelivered?(item: OutboxItem): void;
  onFailed?(item: OutboxItem, dead: boolean): void;
  maxAttempts?: number;
  leaseMs?: number;
  idleDelayMs?: number;
}

/**
 * Delivers outbox rows through the channel adapters: at most once per idempotency key, retried with
 * exponential backoff and jitter (or the platform's retry-after, whichever is later), dead-lettered with
 * a reason an agent can read. The platform id is stored the moment the send returns, before any echo.
 */
export const createOutboxDispatcher = (options: OutboxDispatcherOptions) => {
  const { repos, uow, clock, logger } = options;
  const maxAttempts = options.maxAttempts ?? 8;
  const leaseMs = options.leaseMs ?? 60_000;

  const deliver = async (item: OutboxItem): Promise<void> => {
    const adapter = await options.adapterFor(item.channelId);
    const now = clock.now();
    if (!adapter) {
      await repos.outbox.markDead(item.id, 'this channel has no connector that can send; reply on the platform itself', now);
      options.onFailed?.(item, true);
      return;
    }
    const { attachmentIds, ...p } = item.payload as Omit<OutboundMessage, 'idempotencyKey' | 'channelId' | 'kind' | 'media'> & { attachmentIds?: string[] };
    // The files travel by id in the outbox row; their bytes are read now, for this attempt only.
    const media = attachmentIds?.length ? await repos.attachments.getMany(attachmentIds) : [];
    if (attachmentIds?.length && media.length !== attachmentIds.length) {
      await repos.outbox.markDead(item.id, 'an attachment of this reply no longer exists; send the reply again with the file', now);
      options.onFailed?.(item, true);
      return;
    }
    try {
      const sent = await adapter.send({
        ...p,
        ...(media.length ? { media: media.map((m) => ({ filename: m.filename, contentType: m.contentType, bytes: m.bytes })) } : {}),
        idempotencyKey: item.idempotencyKey,
        channelId: item.channelId,
        kind: item.kind as OutboundMessage['kind'],
      });
      await uow(async (tx) => {
        await tx.outbox.markSent(item.id, sent.platformMessageId, clock.now());
        if (item.messageId) await tx.messages.setExternalId(item.messageId, sent.platformMessageId, sent.url ?? null);
      });
      options.onDelivered?.(item);
    } catch (error) {
      const retryable = error instanceof ConnectorError ? error.retryable : true;
      const reason = error instanceof Error ? error.message : String(error);
      if (!retryable || item.attempts >= maxAttempts) {
        await repos.outbox.markDead(item.id, reason, clock.now());
        options.onFailed?.(item, true);
        logger.warn({ outboxId: item.id, channelId: item.channelId, attempts: item.attempts, reason }, 'outbound message failed permanently');
        return;
      }
      const hinted = error instanceof ConnectorError && error.retryAfterMs !== null ? error.retryAfterMs : 0;
      await repos.outbox.markRetry(item.id, reason, clock.now() + Math.max(hinted, backoffMs(item.attempts)), clock.now());
      options.onFailed?.(item, false);
    }
  };

  const round = async (): Promise<number> => {
    const items = await repos.outbox.claim(20, clock.now(), leaseMs);
    // Sequential per round: platforms pace per account, and order within a conversation matters.
    for (const item of items) await deliver(item);
    return items.length;
  };

  return createPollingLoop(round, { idleDelayMs: options.idleDelayMs ?? 250, onError: (error) => logger.error({ err: error }, 'outbox round failed') });
};

export type OutboxDispatcher = ReturnType<typeof createOutboxDispatcher>;
