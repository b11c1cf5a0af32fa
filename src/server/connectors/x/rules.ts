import { ConnectorError } from '../port.js';
import { asArray, asRecord, asString } from '../shared/json.js';
import type { XClient } from './client.js';

export interface XStreamRule {
  value: string;
  tag: string;
}

export interface XRuleSyncResult {
  added: number;
  deleted: number;
}

/** Rules Parley created carry this tag prefix, so rules someone else manages on the same app are left alone. */
export const xManagedTagPrefix = 'parley:';

const rulesPath = '/2/tweets/search/stream/rules';

export async function listXStreamRules(client: XClient): Promise<(XStreamRule & { id: string })[]> {
  const rules: (XStreamRule & { id: string })[] = [];
  let token: string | null = null;
  do {
    const query = new URLSearchParams({ max_results: '1000' });
    if (token) query.set('pagination_token', token);
    const response = await client.call('app', 'GET', `${rulesPath}?${query}`, 'list stream rules');
    const body = asRecord(response.json);
    for (const item of asArray(body?.data)) {
      const rule = asRecord(item);
      const id = asString(rule?.id);
      const value = asString(rule?.value);
      if (id && value) rules.push({ id, value, tag: asString(rule?.tag) ?? '' });
    }
    token = asString(asRecord(body?.meta)?.next_token);
  } while (token);
  return rules;
}

/**
 * Make the app's Parley-managed filtered-stream rules equal `desired`: delete the stale ones, add the
 * missing ones. Invalid rules are a permanent error naming the rule, so the brand can fix its query.
 */
export async function syncXStreamRules(client: XClient, desired: XStreamRule[]): Promise<XRuleSyncResult> {
  const wanted = desired.map((r) => ({ value: r.value, tag: r.tag.startsWith(xManagedTagPrefix) ? r.tag : `${xManagedTagPrefix}${r.tag}` }));
  const key = (r: XStreamRule): string => `${r.tag}\u0000${r.value}`;
  const wantedKeys = new Set(wanted.map(key));
  const existing = (await listXStreamRules(client)).filter((r) => r.tag.startsWith(xManagedTagPrefix));
  const existingKeys = new Set(existing.map(key));
  const stale = existing.filter((r) => !wantedKeys.has(key(r)));
  const missing = wanted.filter((r) => !existingKeys.has(key(r)));
  let deleted = 0;
  if (stale.length > 0) {
    const response = await client.call('app', 'POST', rulesPath, 'delete stream rules', { delete: { ids: stale.map((r) => r.id) } });
    deleted = Number(asRecord(asRecord(asRecord(response.json)?.meta)?.summary)?.deleted ?? stale.length);
  }
  let added = 0;
  if (missing.length > 0) {
    const response = await client.call('app', 'POST', rulesPath, 'add stream rules', { add: missing });
    const body = asRecord(response.json);
    added = asArray(body?.data).length;
    const problems = asArray(body?.errors)
      .map(asRecord)
      .filter((e) => e && !String(e.title).includes('DuplicateRule'))
      .map((e) => `${asString(e?.value) ?? '?'}: ${asString(e?.details) ?? asString(e?.detail) ?? asString(e?.title) ?? 'invalid'}`);
    if (problems.length > 0) throw new ConnectorError(`X refused stream rules: ${problems.join('; ')}`, false, null, 'invalid_rules');
  }
  return { added, deleted };
}
