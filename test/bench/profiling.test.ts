import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parseProfileArgs } from '../../bench/profile.js';
import { mainThreadCpuMs, normaliseStatement, summariseCpuProfile, timePostgresStatements, timeSqliteStatements, type CpuProfile } from '../../bench/support/profiling.js';
import { isPostgresAvailable, postgresBaseUrl } from '../support/stores.js';

const pgAvailable = await isPostgresAvailable();

describe('the profiling tool (npm run profile)', () => {
  it('counts a statement as one whatever the number of rows or placeholders it was run with', () => {
    const rows = (n: number, dollar: boolean) => Array.from({ length: n }, (_, i) => (dollar ? `($${i * 2 + 1}, cast($${i * 2 + 2} as bigint))` : '(?, cast(? as bigint))')).join(', ');
    const sqlite16 = normaliseStatement(`insert into t (a, b)\n  values ${rows(16, false)}`);
    expect(sqlite16).toBe('insert into t (a, b) values (…)');
    expect(normaliseStatement(`insert into t (a, b) values ${rows(500, true)}`)).toBe(sqlite16);
    expect(normaliseStatement('select * from m where id in (?, ?, ?) and stage = ?')).toBe('select * from m where id in (…) and stage = ?');
    expect(normaliseStatement('update m set a = ?, b = ? where id = ?')).toBe('update m set a = ?, b = ? where id = ?');
  });

  it('times every SQLite statement while installed, and nothing after it is stopped', () => {
    const db = new Database(':memory:');
    db.exec('create table t (a integer, b integer)');
    const timer = timeSqliteStatements();
    for (const n of [1, 3, 5]) db.prepare(`insert into t (a, b) values ${Array.from({ length: n }, () => '(?, ?)').join(', ')}`).run(...Array.from({ length: n * 2 }, (_, i) => i));
    expect(db.prepare('select count(*) as n from t').get()).toEqual({ n: 9 });
    db.exec('delete from t where a = 0');
    timer.stop();
    db.prepare('select * from t').all();
    const top = timer.top(10);
    expect(top.map((t) => [t.statement, t.calls]).sort()).toEqual([
      ['delete from t where a = 0', 1],
      ['insert into t (a, b) values (…)', 3],
      ['select count(*) as n from t', 1],
    ]);
    expect(top.every((t) => t.ms >= 0 && t.maxMs <= t.ms)).toBe(true);
    db.close();
  });

  it.skipIf(!pgAvailable)('times PostgreSQL queries by round trip', async () => {
    const client = new pg.Client({ connectionString: postgresBaseUrl });
    await client.connect();
    const timer = timePostgresStatements();
    try {
      for (const n of [2, 4]) await client.query(`select x from (values ${Array.from({ length: n }, (_, i) => `(cast($${i + 1} as int))`).join(', ')}) as v(x)`, Array.from({ length: n }, (_, i) => i));
    } finally {
      timer.stop();
      await client.query('select 1');
      await client.end();
    }
    expect(timer.top(5).map((t) => [t.statement, t.calls])).toEqual([['select x from (values (…)) as v(x)', 2]]);
  });

  it('sums a CPU profile by function: self time where sampled, total time once per sample however deep the recursion', () => {
    const frame = (functionName: string) => ({ functionName, url: `file:///app/src/${functionName}.ts`, lineNumber: 0 });
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2] },
        { id: 2, callFrame: frame('walk'), children: [3, 4] },
        { id: 3, callFrame: frame('walk'), children: [5] },
        { id: 4, callFrame: frame('leaf') },
        { id: 5, callFrame: frame('leaf') },
      ],
      samples: [5, 4, 2, 3],
      timeDeltas: [1000, 2000, 4000, 500],
    };
    const byName = new Map(summariseCpuProfile(profile).map((f) => [f.name.split(' ')[0], f]));
    expect(byName.get('leaf')).toMatchObject({ selfMs: 3, totalMs: 3 });
    expect(byName.get('walk')).toMatchObject({ selfMs: 4.5, totalMs: 7.5 });
    expect(byName.get('(root)')).toMatchObject({ selfMs: 0, totalMs: 7.5 });
    expect(byName.get('walk')!.name).toBe('walk src/walk.ts:1');
  });

  it.skipIf(process.platform !== 'linux')('reads the main thread’s CPU time', () => {
    const before = mainThreadCpuMs()!;
    const until = performance.now() + 60;
    let spin = 0;
    while (performance.now() < until) spin += 1;
    expect(spin).toBeGreaterThan(0);
    expect(mainThreadCpuMs()!).toBeGreaterThan(before);
  });

  it('takes a workload and its options, and refuses what it cannot run', () => {
    expect(parseProfileArgs(['pipeline', '--postgres', 'postgres://x/y', '--runs', '2', '--statements', '--cpu', '/tmp/p.cpuprofile'])).toEqual({
      workload: 'pipeline', postgresUrl: 'postgres://x/y', runs: 2, statements: true, cpuFile: '/tmp/p.cpuprofile',
    });
    expect(parseProfileArgs(['ack'])).toEqual({ workload: 'ack', postgresUrl: null, runs: 3, statements: false, cpuFile: null });
    expect(() => parseProfileArgs([])).toThrow(/name a workload/);
    expect(() => parseProfileArgs(['pipeline', '--runs', '0'])).toThrow(/--runs/);
    expect(() => parseProfileArgs(['pipeline', '--cpu'])).toThrow(/--cpu needs a value/);
    expect(() => parseProfileArgs(['pipeline', '--fast'])).toThrow(/unknown argument --fast/);
    expect(() => parseProfileArgs(['ack', '--postgres', 'postgres://x/y'])).toThrow(/embedded store only/);
  });
});
