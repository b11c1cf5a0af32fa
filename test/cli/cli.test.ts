import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'parley-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const commands = ['start', 'demo', 'migrate', 'user create', 'token create', 'channel add', 'import', 'export messages', 'classify', 'check-reply', 'train', 'train intents', 'eval', 'audit verify', 'bench'];

/** Each call starts Node and compiles the CLI through tsx (3 s here alone, ~10 s in a full CI run): a test making
 * several calls took up to 32 s of the 60 s default in CI, so each gets room for a slower machine. */
const cliTestTimeoutMs = 240_000;

/** Runs the calls a few at a time: each spawns Node, and a two-core machine chokes on fifteen at once. */
const inPool = async <T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> => {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: size }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  }));
  return out;
};

describe('parley CLI', () => {
  it('prints help for every command', async () => {
    const results = await inPool(commands, 3, (c) => runCli([...c.split(' '), '--help'], { dataDir }));
    results.forEach((r, i) => {
      expect(r.code, commands[i]).toBe(0);
      expect(r.stdout).toContain(`Usage: parley ${commands[i]}`);
    });
  }, cliTestTimeoutMs);

  it('exits 2 with a clear message on bad arguments', async () => {
    const cases = [['user', 'create', '--email', 'x@y.z'], ['import', '--format', 'csv', 'f.jsonl'], ['start', '--roles', 'web,cook'], ['frobnicate'], ['channel', 'add', '--platform', 'x', '--name', 'n', '--config', '{oops']];
    const results = await Promise.all(cases.map((args) => runCli(args, { dataDir })));
    expect(results.map((r) => r.code)).toEqual([2, 2, 2, 2, 2]);
    expect(results[0]?.stderr).toMatch(/--name|--role/);
    expect(results[1]?.stderr).toContain('Allowed choices are envelope, x-v2');
    expect(results[2]?.stderr).toContain('unknown role(s) cook');
    expect(results[4]?.stderr).toContain('--config must be JSON');
  }, cliTestTimeoutMs);

  it('lists every configuration problem and exits 2', async () => {
    const r = await runCli(['migrate'], { dataDir, env: { PORT: 'eighty', PARLEY_PUBLIC_URL: 'not a url' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('2 problem(s)');
    expect(r.stderr).toContain('PORT');
    expect(r.stderr).toContain('PARLEY_PUBLIC_URL');
  }, cliTestTimeoutMs);

  it('creates a user with a generated password, then a token for them', async () => {
    const user = await runCli(['user', 'create', '--email', 'Kim@Acme.test', '--name', 'Kim', '--role', 'agent', '--skills', 'lang:en,channel:x'], { dataDir });
    expect(user.code).toBe(0);
    expect(user.stdout).toMatch(/created agent kim@acme\.test/);
    expect(user.stdout).toMatch(/password: \S{16,}/);
    const token = await runCli(['token', 'create', '--email', 'kim@acme.test', '--name', 'crm sync'], { dataDir });
    expect(token.code).toBe(0);
    expect(token.stdout.trim()).toMatch(/^\S{20,}$/);
    const missing = await runCli(['token', 'create', '--email', 'nobody@acme.test', '--name', 'x'], { dataDir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no user with email nobody@acme.test');
  }, cliTestTimeoutMs);

  it('imports an X v2 reply chain into one conversation and exports it', async () => {
    const user = (id: string, username: string) => ({ id, username, name: username, public_metrics: { followers_count: 10 } });
    const post = (id: string, author: string, text: string, replyTo?: string) => ({
      data: { id, text, author_id: author, conversation_id: '1800000000000000100', created_at: '2026-11-20T10:00:00.000Z', edit_history_tweet_ids: [id], ...(replyTo ? { referenced_tweets: [{ type: 'replied_to', id: replyTo }] } : {}) },
      includes: { users: [user(author, `user${author}`)] },
    });
    const lines = [
      post('1800000000000000100', '11', '@AcmeTelecom my fibre is down since 9am'),
      post('1800000000000000101', '11', '@AcmeTelecom still nothing, modem light is red', '1800000000000000100'),
      post('1800000000000000102', '11', '@AcmeTelecom back now, thanks', '1800000000000000101'),
      { data: { id: '1800000000000000200', text: '@AcmeTelecom love the new plan', author_id: '22', created_at: '2026-11-20T11:00:00.000Z' }, includes: { users: [user('22', 'fan')] } },
    ];
    const file = path.join(dataDir, 'x.jsonl');
    writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n{"keep-alive"\n`);
    const imported = await runCli(['import', '--format', 'x-v2', file], { dataDir });
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ lines: 5, accepted: 4, invalid: 1 });

    const exported = await runCli(['export', 'messages'], { dataDir });
    expect(exported.code).toBe(0);
    const rows = exported.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const chain = rows.filter((r) => String(r.externalId).startsWith('18000000000000001'));
    expect(chain).toHaveLength(3);
    expect(new Set(chain.map((r) => r.conversationId)).size).toBe(1);
    expect(chain[0]?.conversationId).toBeTruthy();
    const other = rows.find((r) => r.externalId === '1800000000000000200');
    expect(other?.conversationId).not.toBe(chain[0]?.conversationId);
    for (const r of rows) expect(r).toMatchObject({ channel: expect.any(String), customerId: expect.any(String), incidentId: null, classifications: { sentiment: { label: expect.any(String) } } });
    // Every export is on record in the audit log, and the chain still verifies.
    const audit = await runCli(['audit', 'export'], { dataDir });
    expect(audit.code).toBe(0);
    const entries = audit.stdout.trim().split('\n').map((l) => JSON.parse(l) as { action: string; actorId: string });
    expect(entries.filter((e) => e.action === 'messages.export')).toEqual([expect.objectContaining({ actorId: 'system' })]);
    expect((await runCli(['audit', 'verify'], { dataDir })).code).toBe(0);
  }, cliTestTimeoutMs);

  it('classifies JSON lines with the documented shape', async () => {
    const input = ['{"id":"a","text":"I was charged twice this month, refund me now"}', 'not json', '{"id":7,"text":"mail me at jo.doe@example.com"}'].join('\n');
    const r = await runCli(['classify'], { dataDir, input });
    expect(r.code).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out).toHaveLength(3);
    expect(out[0]).toMatchObject({ id: 'a', language: expect.any(String), sentiment: { label: 'negative', scores: { negative: expect.any(Number), neutral: expect.any(Number), positive: expect.any(Number) } }, intent: { label: expect.any(String), score: expect.any(Number) }, urgency: expect.stringMatching(/^(low|normal|high|critical)$/), needsResponse: expect.any(Boolean), spam: false, pii: [] });
    expect(out[1]).toMatchObject({ id: null, error: expect.any(String) });
    expect(out[2]).toMatchObject({ id: 7, pii: [{ type: 'email', start: 11, end: 29 }] });
  }, cliTestTimeoutMs);
});
