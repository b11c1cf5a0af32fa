import { ZodError } from 'zod';
import type { Actor } from '../../shared/permissions.js';
import { resolvePriorityWeights, type PriorityWeights } from '../decide/priority-weights.js';
import type { Clock } from '../platform/clock.js';
import { bumpDecideVersion, PRIORITY_SETTINGS_KEY } from '../pipeline/decide-config.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';
import { recordAudit } from './audit.js';
import { validationError } from './decide-validation.js';

/** The workspace's priority weights: stored as overrides on the defaults, validated by the fairness rules. */
export const createPrioritySettingsService = (deps: { repos: Repositories; uow: UnitOfWork; clock: Clock }) => {
  const { repos, uow, clock } = deps;
  return {
    async get(): Promise<{ overrides: Record<string, unknown>; effective: PriorityWeights }> {
      const overrides = (await repos.settings.get<Record<string, unknown>>(PRIORITY_SETTINGS_KEY)) ?? {};
      return { overrides, effective: resolvePriorityWeights(overrides) };
    },

    /** Replaces the overrides; the decide stage picks them up on its next batch. */
    async set(overrides: unknown, actor: Actor): Promise<{ overrides: Record<string, unknown>; effective: PriorityWeights }> {
      let effective: PriorityWeights;
      try {
        effective = resolvePriorityWeights(overrides);
      } catch (error) {
        if (error instanceof ZodError) throw validationError(error);
        throw error;
      }
      const stored = (overrides ?? {}) as Record<string, unknown>;
      await uow(async (tx) => {
        const now = clock.now();
        const before = await tx.settings.get<Record<string, unknown>>(PRIORITY_SETTINGS_KEY);
        await tx.settings.set(PRIORITY_SETTINGS_KEY, stored, now);
        await bumpDecideVersion(tx, now);
        await recordAudit(tx, actor, now, 'settings.priority.update', { type: 'settings', id: 'priority' }, { before: before ?? {}, after: stored });
      });
      return { overrides: stored, effective };
    },
  };
};

export type PrioritySettingsService = ReturnType<typeof createPrioritySettingsService>;
