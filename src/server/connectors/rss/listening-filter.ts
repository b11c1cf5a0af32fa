import type { ListeningMessage } from '../listening/ast.js';
import { compileListeningMatcher } from '../listening/match.js';
import { tryParseListeningQuery } from '../listening/parse.js';
import { ConnectorError } from '../port.js';

export type ListeningFilter = (message: ListeningMessage) => boolean;

/**
 * One matcher for a source's listening rules: `queries` in the listening syntax, plus plain `keywords`
 * (any of them). Null when the source has no rules. A bad query is a permanent configuration error.
 */
export function compileListeningFilter(queries: readonly string[], keywords: readonly string[] = []): ListeningFilter | null {
  const sources = [...queries, ...keywords.filter((k) => k.trim() !== '').map((k) => `"${k.replace(/"/g, '')}"`)];
  if (sources.length === 0) return null;
  const matchers = sources.map((query) => {
    const parsed = tryParseListeningQuery(query);
    if (!parsed.ok) throw new ConnectorError(`Listening query "${query}" is invalid: ${parsed.message}`, false, null, 'listening_query');
    return compileListeningMatcher(parsed.ast);
  });
  return (message) => matchers.some((matches) => matches(message));
}
