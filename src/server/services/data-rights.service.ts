import type { Actor } from '../../shared/permissions.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';
import type { CustomerDataExport, Tombstone } from '../repositories/retention.repository.js';
import { recordAudit } from './audit.js';
import type { CustomerNote } from '../repositories/customer-records.repository.js';

const dayMs = 86_400_000;

/** Retention per channel, erasure and export of a customer's data; every step is in the audit log. */
export const createDataRightsService = (deps: { repos: Repositories; uow: UnitOfWork; clock: Clock; logger: Logger }) => {
  const { repos, uow, clock, logger } = deps;

  const purge = async (actor: Actor): Promise<{ channelId: string; purged: number }[]> => {
    const out: { channelId: string; purged: number }[] = [];
    for (const policy of await repos.retention.policies()) {
      const cutoff = clock.now() - policy.days * dayMs;
      const purged = await uow(async (tx) => {
        const n = await tx.retention.purgeBefore(policy.channelId, cutoff);
        // A paused channel's held deliveries carry the same words, raw.
        const held = await tx.retention.purgeHeldBefore(policy.channelId, cutoff);
        if (n > 0 || held > 0) await recordAudit(tx, actor, clock.now(), 'retention.purge', { type: 'channel', id: policy.channelId }, { days: policy.days, cutoff, messages: n, heldDeliveries: held });
        return n;
      });
      out.push({ channelId: policy.channelId, purged });
    }
    return out;
  };

  return {
    purge,

    async setRetention(channelId: string, days: number | null, actor: Actor) {
      if (days !== null && (!Number.isInteger(days) || days < 1)) throw new AppError('validation_failed', 'days must be a whole number of at least 1, or null to keep for ever', 'days');
      await uow(async (tx) => {
        if (!(await tx.channels.get(channelId))) throw new AppError('channel_not_found', `no channel ${channelId}`);
        await tx.retention.setPolicy(channelId, days, clock.now());
        await recordAudit(tx, actor, clock.now(), 'retention.set', { type: 'channel', id: channelId }, { days });
      });
      return { channelId, days };
    },

    policies: () => repos.retention.policies(),

    async erase(customerId: string, actor: Actor): Promise<Tombstone> {
      return uow(async (tx) => {
        if (!(await tx.customers.get(customerId))) throw new AppError('customer_not_found', `no customer ${customerId}`);
        // Before erase: held deliveries are matched by the identities erase deletes.
        const held = await tx.retention.eraseHeld(customerId);
        const tombstone = await tx.retention.erase(customerId, actor.userId, clock.now());
        await tx.customerRecords.deleteNotesOf(customerId);
        await recordAudit(tx, actor, clock.now(), 'customer.erase', { type: 'customer', id: customerId }, { messages: tombstone.messages, identities: tombstone.identities, heldMessages: held });
        return tombstone;
      });
    },

    async exportCustomer(customerId: string, actor: Actor): Promise<CustomerDataExport & { exportedAt: string; erasedAt: string | null; notes: CustomerNote[] }> {
      return uow(async (tx) => {
        const data = await tx.retention.exportCustomer(customerId);
        if (!data) throw new AppError('customer_not_found', `no customer ${customerId}`);
        const tombstone = await tx.retention.tombstone(customerId);
        await recordAudit(tx, actor, clock.now(), 'customer.export', { type: 'customer', id: customerId }, { messages: data.messages.length, identities: data.identities.length });
        const notes = await tx.customerRecords.notesOf(customerId, 10_000);
        return { exportedAt: new Date(clock.now()).toISOString(), erasedAt: tombstone ? new Date(tombstone.erasedAt).toISOString() : null, ...data, notes };
      });
    },

    /** Purges once an hour in the worker role; returns a stop function. */
    startTimer(intervalMs = 3600_000): () => Promise<void> {
      const actor: Actor = { userId: 'system', role: 'admin', requestId: 'retention' };
      let running: Promise<unknown> = Promise.resolve();
      const timer = setInterval(() => {
        running = running.then(() => purge(actor)).catch((error: unknown) => logger.warn({ err: error }, 'retention purge failed'));
      }, intervalMs);
      timer.unref();
      return async () => {
        clearInterval(timer);
        await running;
      };
    },
  };
};

export type DataRightsService = ReturnType<typeof createDataRightsService>;
