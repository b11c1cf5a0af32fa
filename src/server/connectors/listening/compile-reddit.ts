import { ListeningQueryError } from './ast.js';
import type { ListeningNode } from './ast.js';
import { toNegationNormalForm } from './normalize.js';

export interface RedditSearchQuery {
  /** The `q` parameter for /search or /r/{sub}/search. */
  q: string;
  /**
   * False when part of the query (lang:, #/@ sigils) could not be expressed and was widened:
   * run matchesListeningQuery on the results. Reddit also stems words, so filtering is wise anyway.
   */
  exact: boolean;
}

/** Reddit limits the search query to 512 characters. */
export const redditMaxQueryLength = 512;

/** Compile a listening query to Reddit search syntax (AND, OR, NOT, parentheses, "phrases", author:). */
export function compileToRedditSearch(ast: ListeningNode): RedditSearchQuery {
  let exact = true;
  // null means "no constraint": an operator Reddit lacks is widened to match everything, then filtered locally.
  const render = (node: ListeningNode, parent: 'and' | 'or' | null): string | null => {
    switch (node.type) {
      case 'lang':
        exact = false;
        return null;
      case 'from':
        return `author:${node.value}`;
      case 'phrase':
        return `"${node.value}"`;
      case 'term': {
        const bare = node.value.replace(/^[#@]/, '');
        if (bare !== node.value) exact = false;
        return /^[\p{L}\p{N}_]+$/u.test(bare) ? bare : `"${bare}"`;
      }
      case 'not': {
        const inner = render(node.child, 'and');
        return inner === null ? null : `NOT ${inner}`;
      }
      case 'and': {
        const parts = node.children.map((c) => render(c, 'and')).filter((p): p is string => p !== null);
        if (parts.length === 0) return null;
        const text = parts.join(' AND ');
        return parts.length > 1 && parent !== null ? `(${text})` : text;
      }
      case 'or': {
        const parts = node.children.map((c) => render(c, 'or'));
        if (parts.some((p) => p === null)) return null;
        const text = parts.join(' OR ');
        return parent !== null ? `(${text})` : text;
      }
    }
  };
  const q = render(toNegationNormalForm(ast), null);
  if (q === null) throw new ListeningQueryError('Reddit search cannot express this query: it needs a keyword, phrase or from: outside lang:', 0);
  if (q.length > redditMaxQueryLength) throw new ListeningQueryError(`the query compiles to ${q.length} characters; Reddit search allows ${redditMaxQueryLength}`, 0);
  return { q, exact };
}
