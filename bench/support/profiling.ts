import { readdirSync, readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import pg from 'pg';

/*
 * Where a benchmark's time goes: CPU per thread and in the PostgreSQL server, garbage collection, time per SQL
 * statement, and the functions a CPU profile samples most. Read from Linux's /proc (elsewhere the CPU figures are
 * null); the statement timers wrap the drivers' own methods for as long as they are installed.
 */

/** utime + stime of a /proc stat line, in ms (clock ticks are 10 ms on Linux); with `children`, also cutime + cstime. */
const statCpuMs = (stat: string, children = false): number => {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12]) + (children ? Number(fields[13]) + Number(fields[14]) : 0)) * 10;
};

const readOrNull = (file: string): string | null => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

/** CPU ms used so far by this process's main thread (its task id is the process id). */
export const mainThreadCpuMs = (): number | null => {
  const stat = readOrNull(`/proc/self/task/${process.pid}/stat`);
  return stat === null ? null : statCpuMs(stat);
};

/**
 * CPU ms used so far by the PostgreSQL server on this machine: every live process named `postgres`, and the
 * backends that have exited (a run's connections close with it), which the postmaster has counted as its children's.
 */
export const postgresCpuMs = (): number | null => {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  let total = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readOrNull(`/proc/${entry}/stat`);
    if (stat?.includes('(postgres)')) total += statCpuMs(stat, true);
  }
  return total;
};

const GC_KINDS: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weak callbacks' };

/** Sums garbage-collection pauses by kind while it runs; `take` returns the sums since the last take and starts again. */
export const recordGc = (): { take(): Record<string, number>; stop(): void } => {
  let sums: Record<string, number> = {};
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = GC_KINDS[(entry as { detail?: { kind?: number } }).detail?.kind ?? 0] ?? 'other';
      sums[kind] = (sums[kind] ?? 0) + entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    take() {
      const taken = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, Math.round(v)]));
      sums = {};
      return taken;
    },
    stop: () => observer.disconnect(),
  };
};

/**
 * A statement's text with its parameter lists folded, so a multi-row insert of 16 rows and one of 500 count as one
 * statement: every list of placeholders (`?`, `$1`, `cast(? as bigint)`) in parentheses becomes `(…)`, a run of such
 * lists one `(…)`, and a bare run of placeholders `?…`.
 */
export const normaliseStatement = (source: string): string => {
  let s = source.replace(/\s+/g, ' ').replace(/\$\d+/g, '?').replace(/cast\(\? as [a-z ]+\)/gi, '?');
  s = s.replace(/\(\s*\?(?:\s*,\s*\?)*\s*\)/g, '(…)');
  s = s.replace(/\(…\)(?:\s*,\s*\(…\))+/g, '(…)');
  return s.replace(/\?(?:\s*,\s*\?)+/g, '?…').trim();
};

export interface StatementTime {
  statement: string;
  ms: number;
  calls: number;
  maxMs: number;
}

/** Collected statement times, largest total first. */
export interface StatementTimes {
  top(n: number): StatementTime[];
  reset(): void;
  stop(): void;
}

const collector = () => {
  const times = new Map<string, StatementTime>();
  return {
    add(source: string, ms: number) {
      const statement = normaliseStatement(source);
      const entry = times.get(statement) ?? { statement, ms: 0, calls: 0, maxMs: 0 };
      entry.ms += ms;
      entry.calls += 1;
      entry.maxMs = Math.max(entry.maxMs, ms);
      times.set(statement, entry);
    },
    top: (n: number) => [...times.values()].sort((a, b) => b.ms - a.ms).slice(0, n).map((t) => ({ ...t, ms: Math.round(t.ms * 10) / 10, maxMs: Math.round(t.maxMs * 10) / 10 })),
    reset: () => times.clear(),
  };
};

/**
 * Times every SQLite statement run on this thread (better-sqlite3's run, all, get and iterate, and exec), until
 * stopped. An iterate is timed until it returns its iterator, not while it is read.
 */
export const timeSqliteStatements = (): StatementTimes => {
  const probe = new Database(':memory:');
  const statementProto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, (...args: unknown[]) => unknown>;
  const databaseProto = Object.getPrototypeOf(probe) as Record<string, (...args: unknown[]) => unknown>;
  probe.close();
  const times = collector();
  const restore: (() => void)[] = [];
  const wrap = (proto: Record<string, (...args: unknown[]) => unknown>, method: string, sourceOf: (self: unknown, args: unknown[]) => string) => {
    const original = proto[method]!;
    proto[method] = function (this: unknown, ...args: unknown[]) {
      const started = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        times.add(sourceOf(this, args), performance.now() - started);
      }
    };
    restore.push(() => {
      proto[method] = original;
    });
  };
  for (const method of ['run', 'all', 'get', 'iterate']) wrap(statementProto, method, (self) => String((self as { source: string }).source));
  wrap(databaseProto, 'exec', (_self, args) => String(args[0]));
  return { top: times.top, reset: times.reset, stop: () => restore.forEach((r) => r()) };
};

/**
 * Times every PostgreSQL query from this process (node-postgres Client.query) from sending to its result: the
 * round trip, server time included. Queries of a client run one at a time, so a query queued behind another
 * counts its wait too. Only promise-style calls are timed (Kysely's are); a query given a callback is not.
 */
export const timePostgresStatements = (): StatementTimes => {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const times = collector();
  proto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : typeof first === 'object' && first !== null && 'text' in first ? String((first as { text: unknown }).text) : '';
    const started = performance.now();
    const result = original.apply(this, args);
    if (result instanceof Promise) {
      return result.finally(() => times.add(text, performance.now() - started));
    }
    return result;
  };
  return { top: times.top, reset: times.reset, stop: () => void (proto.query = original) };
};

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  name: string;
  selfMs: number;
  totalMs: number;
}

/**
 * The functions of a V8 CPU profile by self time and by total time (self plus everything called from it, counted
 * once per sample however deep the recursion), in ms.
 */
export const summariseCpuProfile = (profile: CpuProfile): FunctionTime[] => {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const nameOf = (node: ProfileNode): string => {
    const file = node.callFrame.url.split('/').slice(-2).join('/');
    return `${node.callFrame.functionName || '(anonymous)'}${file ? ` ${file}:${node.callFrame.lineNumber + 1}` : ''}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    let node = byId.get(id);
    if (!node) return;
    self.set(nameOf(node), (self.get(nameOf(node)) ?? 0) + us);
    const seen = new Set<string>();
    for (; node; node = byId.get(parent.get(node.id) ?? -1)) {
      const name = nameOf(node);
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + us);
    }
  });
  return [...total].map(([name, us]) => ({ name, selfMs: Math.round((self.get(name) ?? 0) / 100) / 10, totalMs: Math.round(us / 100) / 10 }));
};
