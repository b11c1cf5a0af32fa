import { afterEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../port.js';
import { createXClient } from './client.js';
import { startXFakeServer } from './fake-server.js';
import type { XFakeServer } from './fake-server.js';
import { compileToXRules } from '../listening/compile-x.js';
import { parseListeningQuery } from '../listening/parse.js';
import { syncXStreamRules } from './rules.js';

let fake: XFakeServer | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

describe('syncXStreamRules', () => {
  it('adds missing rules, deletes stale managed ones and leaves foreign rules alone', async () => {
    fake = await startXFakeServer();
    fake.rules.push({ id: '1', value: 'someone else', tag: 'other-tool' }, { id: '2', value: 'old query', tag: 'parley:brand' });
    const client = createXClient({ baseUrl: fake.url, bearerToken: fake.bearerToken });
    const result = await syncXStreamRules(client, [{ value: 'acme -is:retweet', tag: 'brand' }]);
    expect(result).toEqual({ added: 1, deleted: 1 });
    expect(fake.rules.map((r) => [r.value, r.tag])).toEqual([
      ['someone else', 'other-tool'],
      ['acme -is:retweet', 'parley:brand'],
    ]);
    expect(await syncXStreamRules(client, [{ value: 'acme -is:retweet', tag: 'parley:brand' }])).toEqual({ added: 0, deleted: 0 });
  });

  it('installs a compiled listening query as X rules', async () => {
    fake = await startXFakeServer();
    const client = createXClient({ baseUrl: fake.url, bearerToken: fake.bearerToken });
    const rules = compileToXRules(parseListeningQuery('acme AND (outage OR "no signal") -hiring lang:en'), { tag: 'outage' });
    await syncXStreamRules(client, rules);
    expect(fake.rules.map((r) => [r.value, r.tag])).toEqual([['acme (outage OR "no signal") -hiring lang:en -is:retweet', 'parley:outage']]);
  });

  it('reports rules X refuses as a permanent error naming the rule', async () => {
    fake = await startXFakeServer();
    fake.failNext('/2/tweets/search/stream/rules', { status: 200, body: { meta: { result_count: 0 } } });
    fake.failNext('/2/tweets/search/stream/rules', {
      status: 200,
      body: { meta: { summary: { created: 0, not_created: 1, valid: 0, invalid: 1 } }, errors: [{ value: 'acme (', details: ['Unmatched parenthesis.'], title: 'UnprocessableEntity' }] },
    });
    const client = createXClient({ baseUrl: fake.url, bearerToken: fake.bearerToken });
    const error = await syncXStreamRules(client, [{ value: 'acme (', tag: 'brand' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).retryable).toBe(false);
    expect((error as ConnectorError).message).toContain('acme (');
  });

  it('rejects a wrong bearer token as a permanent credentials error', async () => {
    fake = await startXFakeServer();
    const client = createXClient({ baseUrl: fake.url, bearerToken: 'wrong' });
    await expect(syncXStreamRules(client, [])).rejects.toMatchObject({ retryable: false, message: expect.stringContaining('reauthorize') });
  });
});
