import { compileConditions, type Predicate, type RuleContext } from './compile-conditions.js';
import type { Rule, RuleAction, RuleTrigger } from './rule-schema.js';

/** Which rules led to an event. Events caused by a rule's actions carry the chain on. */
export interface Causation {
  ruleIds: readonly string[];
  depth: number;
}

export interface RuleEvent {
  id: string;
  type: RuleTrigger;
  /** Absent for events from the outside world (a new message, a timer). */
  causation?: Causation;
}

export interface PlannedAction {
  eventId: string;
  ruleId: string;
  ruleName: string;
  action: RuleAction;
  /** Attach to every event that executing this action causes, so the chain cannot loop. */
  causation: Causation;
}

interface CompiledRule {
  rule: Rule;
  matches: Predicate;
}

export interface CompiledRules {
  readonly byTrigger: ReadonlyMap<RuleTrigger, readonly CompiledRule[]>;
  readonly maxDepth: number;
}

/** Chains longer than this stop firing rules even when every rule in them is distinct. */
export const DEFAULT_MAX_CAUSATION_DEPTH = 5;

/** Compiles enabled rules once, grouped by trigger, in list order. Rules must already be validated by `ruleSchema`. */
export function compileRules(rules: readonly Rule[], options: { maxDepth?: number; includeDisabled?: boolean } = {}): CompiledRules {
  const byTrigger = new Map<RuleTrigger, CompiledRule[]>();
  for (const rule of rules) {
    if (!rule.enabled && !options.includeDisabled) continue;
    const list = byTrigger.get(rule.trigger) ?? [];
    list.push({ rule, matches: compileConditions(rule.conditions) });
    byTrigger.set(rule.trigger, list);
  }
  return { byTrigger, maxDepth: options.maxDepth ?? DEFAULT_MAX_CAUSATION_DEPTH };
}

const cache = new WeakMap<readonly Rule[], CompiledRules>();

function compiled(rules: CompiledRules | readonly Rule[]): CompiledRules {
  if (!Array.isArray(rules)) return rules as CompiledRules;
  const list = rules as readonly Rule[];
  let c = cache.get(list);
  if (!c) {
    c = compileRules(list);
    cache.set(list, c);
  }
  return c;
}

const NO_CAUSATION: Causation = { ruleIds: [], depth: 0 };

/**
 * The actions the rules plan for one event, in rule order. Pure: the caller executes them. The context may be
 * given as a function, called once, and only if a rule listens for the event.
 * A rule never fires on an event its own actions caused (directly or through other rules),
 * and no rule fires once the chain reaches the depth cap.
 */
export function evaluateRules(rules: CompiledRules | readonly Rule[], event: RuleEvent, contextOrBuild: RuleContext | (() => RuleContext)): PlannedAction[] {
  const set = compiled(rules);
  const candidates = set.byTrigger.get(event.type);
  if (!candidates) return [];
  const causation = event.causation ?? NO_CAUSATION;
  if (causation.depth >= set.maxDepth) return [];
  // Built only when some rule listens for this event: the pipeline asks for every message it decides, and building
  // a context parses the message's classifier outputs.
  const context = typeof contextOrBuild === 'function' ? contextOrBuild() : contextOrBuild;
  const planned: PlannedAction[] = [];
  for (const { rule, matches } of candidates) {
    if (causation.ruleIds.includes(rule.id)) continue;
    if (!matches(context)) continue;
    const next: Causation = { ruleIds: [...causation.ruleIds, rule.id], depth: causation.depth + 1 };
    for (const action of rule.actions) {
      planned.push({ eventId: event.id, ruleId: rule.id, ruleName: rule.name, action, causation: next });
    }
    if (rule.stopProcessing) break;
  }
  return planned;
}

export interface DryRunResult {
  eventId: string;
  matched: boolean;
  actions: PlannedAction[];
}

/** What one rule (enabled or not yet) would have done on recent events, as if each were fresh. */
export function dryRun(rule: Rule, recentEvents: readonly { event: RuleEvent; context: RuleContext }[]): DryRunResult[] {
  const set = compileRules([rule], { includeDisabled: true });
  return recentEvents.map(({ event, context }) => {
    const actions = evaluateRules(set, { id: event.id, type: event.type }, context);
    return { eventId: event.id, matched: actions.length > 0, actions };
  });
}
