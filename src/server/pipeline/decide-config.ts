import { DEFAULT_PRIORITY_WEIGHTS, resolvePriorityWeights, type PriorityWeights } from '../decide/priority-weights.js';
import { compileRules, type CompiledRules } from '../decide/rules/evaluate-rules.js';
import type { Rule } from '../decide/rules/rule-schema.js';
import type { Repositories } from '../repositories/index.js';
import type { SlaPolicyRecord } from '../repositories/sla.repository.js';

/** Settings keys: the workspace's priority overrides, and a stamp every decide-settings change moves. */
export const PRIORITY_SETTINGS_KEY = 'decide.priority_overrides';
export const DECIDE_VERSION_KEY = 'decide.version';

export interface DecideConfig {
  version: string;
  weights: PriorityWeights;
  policies: SlaPolicyRecord[];
  rules: readonly Rule[];
  compiled: CompiledRules;
}

/** Marks decide settings changed, inside the writer's transaction, so every process reloads them. */
export const bumpDecideVersion = async (tx: Repositories, now: number): Promise<void> => {
  await tx.settings.set(DECIDE_VERSION_KEY, `${now}-${Math.random().toString(36).slice(2, 10)}`, now);
};

/**
 * Weights, SLA policies and compiled rules, cached per process. Each batch reads only the version stamp;
 * a change written by any process (web or worker, any machine) is picked up by the next batch.
 */
export const createDecideConfigCache = () => {
  let cached: DecideConfig | null = null;
  return {
    async load(repos: Repositories): Promise<DecideConfig> {
      const version = (await repos.settings.get<string>(DECIDE_VERSION_KEY)) ?? 'initial';
      if (cached && cached.version === version) return cached;
      const [overrides, policies, records] = await Promise.all([repos.settings.get<unknown>(PRIORITY_SETTINGS_KEY), repos.sla.listPolicies(), repos.rules.list()]);
      let weights = DEFAULT_PRIORITY_WEIGHTS;
      try {
        weights = resolvePriorityWeights(overrides ?? {});
      } catch {
        // Stored overrides were validated on write; if a later schema rejects them, the defaults keep the stage running.
      }
      const rules = records.map((r) => r.rule);
      cached = { version, weights, policies, rules, compiled: compileRules(rules) };
      return cached;
    },
    invalidate(): void {
      cached = null;
    },
  };
};

export type DecideConfigCache = ReturnType<typeof createDecideConfigCache>;
