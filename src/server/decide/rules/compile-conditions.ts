import { regexFlags, type Condition, type ConditionGroup, type ConditionNode } from './rule-schema.js';

/** The facts a rule reads: message, classification, author, customer, conversation, channel, incident… */
export type RuleContext = Readonly<Record<string, unknown>>;
export type Predicate = (context: RuleContext) => boolean;

/** Regexes only see the first part of very long texts, to bound their cost. */
const MAX_REGEX_INPUT = 10_000;

function compilePath(field: string): (context: RuleContext) => unknown {
  const keys = field.split('.');
  if (keys.length === 1) {
    const k = keys[0] as string;
    return (c) => c[k];
  }
  return (c) => {
    let v: unknown = c;
    for (const k of keys) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string, unknown>)[k];
    }
    return v;
  };
}

// Many conditions lower-case the same message text; remembering the last one saves most of the work.
let lastRaw = '';
let lastLower = '';
function lower(s: string): string {
  if (s !== lastRaw) {
    lastRaw = s;
    lastLower = s.toLowerCase();
  }
  return lastLower;
}

function compileCondition(c: Condition): Predicate {
  const get = compilePath(c.field);
  switch (c.op) {
    case 'eq':
    case 'neq': {
      const want = c.value;
      const test = (v: unknown): boolean => (Array.isArray(v) ? v.includes(want) : v === want || (want === null && v === undefined));
      return c.op === 'eq' ? (x) => test(get(x)) : (x) => !test(get(x));
    }
    case 'in':
    case 'not_in': {
      const set = new Set<unknown>(c.value);
      const test = (v: unknown): boolean => (Array.isArray(v) ? v.some((e) => set.has(e)) : set.has(v));
      return c.op === 'in' ? (x) => test(get(x)) : (x) => !test(get(x));
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const n = c.value;
      const cmp =
        c.op === 'gt' ? (v: number) => v > n : c.op === 'gte' ? (v: number) => v >= n : c.op === 'lt' ? (v: number) => v < n : (v: number) => v <= n;
      return (x) => {
        const v = get(x);
        return typeof v === 'number' && cmp(v);
      };
    }
    case 'contains':
    case 'not_contains': {
      const needle = c.value.toLowerCase();
      const test = (v: unknown): boolean =>
        typeof v === 'string'
          ? lower(v).includes(needle)
          : Array.isArray(v) && v.some((e) => typeof e === 'string' && e.toLowerCase() === needle);
      return c.op === 'contains' ? (x) => test(get(x)) : (x) => !test(get(x));
    }
    case 'regex': {
      const re = new RegExp(c.value, regexFlags(c.value, c.caseSensitive));
      return (x) => {
        const v = get(x);
        return typeof v === 'string' && re.test(v.length > MAX_REGEX_INPUT ? v.slice(0, MAX_REGEX_INPUT) : v);
      };
    }
    case 'exists':
      return c.value ? (x) => get(x) != null : (x) => get(x) == null;
  }
}

const isGroup = (n: ConditionNode): n is ConditionGroup => 'all' in n || 'any' in n;

/** Rough evaluation cost: field comparisons are cheap, text scans dearer, regexes dearest. */
function cost(n: ConditionNode): number {
  if ('all' in n) return n.all.reduce((s, c) => s + cost(c), 0);
  if ('any' in n) return n.any.reduce((s, c) => s + cost(c), 0);
  return n.op === 'regex' ? 20 : n.op === 'contains' || n.op === 'not_contains' ? 4 : 1;
}

// Conditions are pure, so evaluating the cheap ones first changes no result, only how soon a group short-circuits.
const byCost = (nodes: readonly ConditionNode[]): ConditionNode[] => [...nodes].sort((a, b) => cost(a) - cost(b));

/** Turns a validated condition tree into one closure, built once per rule set. */
export function compileConditions(group: ConditionGroup): Predicate {
  const compileNode = (n: ConditionNode): Predicate => (isGroup(n) ? compileConditions(n) : compileCondition(n));
  if ('all' in group) {
    const parts = byCost(group.all).map(compileNode);
    if (parts.length === 0) return () => true;
    if (parts.length === 1) return parts[0] as Predicate;
    return (x) => {
      for (const p of parts) if (!p(x)) return false;
      return true;
    };
  }
  const parts = byCost(group.any).map(compileNode);
  return (x) => {
    for (const p of parts) if (p(x)) return true;
    return false;
  };
}
