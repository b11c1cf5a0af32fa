import type { Actor } from '../../shared/permissions.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';
import { recordAudit } from './audit.js';

/** Customer 360: profile, every identity, every conversation on every channel. */
export const createCustomersService = (deps: { repos: Repositories; uow: UnitOfWork; clock: Clock }) => {
  const { repos, uow, clock } = deps;
  return {
    async get(id: string) {
      const customer = await repos.customers.get(id);
      if (!customer) throw new AppError('customer_not_found', `no customer ${id}`);
      const [identities, conversations] = await Promise.all([repos.customers.identitiesOf(id), repos.conversations.list({ customerId: id }, null, 100)]);
      return { customer, identities, conversations };
    },

    list: (cursor: string | null, limit: number, query?: string) => repos.customers.list(cursor, limit, query),

    async updateFields(id: string, fields: Record<string, unknown>, actor: Actor) {
      await uow(async (tx) => {
        const customer = await tx.customers.get(id);
        if (!customer) throw new AppError('customer_not_found', `no customer ${id}`);
        await tx.customers.updateFields(id, { ...customer.fields, ...fields }, clock.now());
        await recordAudit(tx, actor, clock.now(), 'customer.update_fields', { type: 'customer', id }, { keys: Object.keys(fields) });
      });
      return this.get(id);
    },
  };
};

export type CustomersService = ReturnType<typeof createCustomersService>;
