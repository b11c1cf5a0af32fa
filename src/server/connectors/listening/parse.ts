import { ListeningQueryError } from './ast.js';
import type { ListeningNode } from './ast.js';

/*
 * Syntax: keywords, "quoted phrases", AND / OR (upper case; juxtaposition means AND, AND binds
 * tighter than OR), parentheses, `-` or NOT before a term or group to exclude it, `lang:xx`,
 * `from:handle`, `#hashtag`, `@mention`. Example: acme AND (outage OR "no signal") -hiring lang:en
 */

type Token =
  | { kind: 'word'; value: string; pos: number }
  | { kind: 'phrase'; value: string; pos: number }
  | { kind: 'lparen'; pos: number }
  | { kind: 'rparen'; pos: number }
  | { kind: 'and'; pos: number }
  | { kind: 'or'; pos: number }
  | { kind: 'not'; pos: number };

export const maxListeningQueryLength = 2000;

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const ch = query[i] ?? '';
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === '(' || ch === ')') {
      tokens.push(ch === '(' ? { kind: 'lparen', pos: i } : { kind: 'rparen', pos: i });
      i += 1;
    } else if (ch === '"') {
      const end = query.indexOf('"', i + 1);
      if (end < 0) throw new ListeningQueryError('unterminated quoted phrase: add the closing "', i);
      tokens.push({ kind: 'phrase', value: query.slice(i + 1, end), pos: i });
      i = end + 1;
    } else if (ch === '-' && i + 1 < query.length && !/[\s)]/.test(query[i + 1] ?? '')) {
      // `-` excludes only when it starts a term; inside a word (wi-fi) it is part of the word.
      tokens.push({ kind: 'not', pos: i });
      i += 1;
    } else {
      let end = i;
      while (end < query.length && !/[\s()"]/.test(query[end] ?? '')) end += 1;
      const word = query.slice(i, end);
      if (word === 'AND' || word === 'OR' || word === 'NOT') tokens.push({ kind: word === 'AND' ? 'and' : word === 'OR' ? 'or' : 'not', pos: i });
      else if (word === '-') throw new ListeningQueryError('a lone "-" must be followed directly by the term to exclude', i);
      else tokens.push({ kind: 'word', value: word, pos: i });
      i = end;
    }
  }
  return tokens;
}

function atom(token: Extract<Token, { kind: 'word' | 'phrase' }>): ListeningNode {
  if (token.kind === 'phrase') {
    const value = token.value.trim().replace(/\s+/g, ' ').toLowerCase();
    if (value === '') throw new ListeningQueryError('empty quoted phrase', token.pos);
    return { type: 'phrase', value };
  }
  const match = /^(lang|from):(.*)$/i.exec(token.value);
  if (match) {
    const operator = (match[1] ?? '').toLowerCase();
    const argument = (match[2] ?? '').replace(/^@/, '').toLowerCase();
    if (operator === 'lang') {
      if (!/^[a-z]{2,3}$/.test(argument)) throw new ListeningQueryError(`lang: needs a language code such as lang:en, not "${match[2] ?? ''}"`, token.pos);
      return { type: 'lang', value: argument };
    }
    if (!/^[\w.]{1,64}$/u.test(argument)) throw new ListeningQueryError(`from: needs an account handle such as from:acme, not "${match[2] ?? ''}"`, token.pos);
    return { type: 'from', value: argument };
  }
  const value = token.value.toLowerCase();
  if (!/[\p{L}\p{N}]/u.test(value)) throw new ListeningQueryError(`"${token.value}" has no letters or digits to match`, token.pos);
  return { type: 'term', value };
}

function hasPositive(node: ListeningNode, negated = false): boolean {
  switch (node.type) {
    case 'not':
      return hasPositive(node.child, !negated);
    case 'and':
      return negated ? node.children.some((c) => hasPositive(c, true)) : node.children.some((c) => hasPositive(c, false));
    case 'or':
      return negated ? node.children.every((c) => hasPositive(c, true)) : node.children.every((c) => hasPositive(c, false));
    default:
      // lang: and from: alone narrow a firehose but do not say what to listen for.
      return !negated && (node.type === 'term' || node.type === 'phrase' || node.type === 'from');
  }
}

/** Parse a listening query; throws ListeningQueryError with the position and a message a brand manager can act on. */
export function parseListeningQuery(query: string): ListeningNode {
  if (query.length > maxListeningQueryLength) throw new ListeningQueryError(`the query is longer than ${maxListeningQueryLength} characters`, maxListeningQueryLength);
  const tokens = tokenize(query);
  if (tokens.length === 0) throw new ListeningQueryError('the query is empty', 0);
  let index = 0;
  const peek = (): Token | undefined => tokens[index];
  const endPos = query.length;

  function parseOr(): ListeningNode {
    const children = [parseAnd()];
    while (peek()?.kind === 'or') {
      const or = tokens[index++] as Token;
      if (!peek() || peek()?.kind === 'rparen' || peek()?.kind === 'or' || peek()?.kind === 'and') throw new ListeningQueryError('OR needs a term on both sides', or.pos);
      children.push(parseAnd());
    }
    return children.length === 1 ? (children[0] as ListeningNode) : { type: 'or', children };
  }

  function parseAnd(): ListeningNode {
    const children = [parseUnary()];
    for (;;) {
      const next = peek();
      if (!next || next.kind === 'or' || next.kind === 'rparen') break;
      if (next.kind === 'and') {
        index += 1;
        const after = peek();
        if (!after || after.kind === 'rparen' || after.kind === 'or' || after.kind === 'and') throw new ListeningQueryError('AND needs a term on both sides', next.pos);
      }
      children.push(parseUnary());
    }
    return children.length === 1 ? (children[0] as ListeningNode) : { type: 'and', children };
  }

  function parseUnary(): ListeningNode {
    const token = peek();
    if (!token) throw new ListeningQueryError('the query ends where a term was expected', endPos);
    if (token.kind === 'not') {
      index += 1;
      if (!peek() || peek()?.kind === 'rparen') throw new ListeningQueryError('nothing to exclude after "-" or NOT', token.pos);
      return { type: 'not', child: parseUnary() };
    }
    if (token.kind === 'lparen') {
      index += 1;
      if (peek()?.kind === 'rparen') throw new ListeningQueryError('empty parentheses', token.pos);
      const inner = parseOr();
      if (peek()?.kind !== 'rparen') throw new ListeningQueryError('unbalanced parenthesis: this ( is never closed', token.pos);
      index += 1;
      return inner;
    }
    if (token.kind === 'rparen') throw new ListeningQueryError('unbalanced parenthesis: ) without a matching (', token.pos);
    if (token.kind === 'and' || token.kind === 'or') throw new ListeningQueryError(`${token.kind.toUpperCase()} needs a term on both sides`, token.pos);
    index += 1;
    return atom(token);
  }

  const ast = parseOr();
  const rest = peek();
  if (rest) throw new ListeningQueryError(rest.kind === 'rparen' ? 'unbalanced parenthesis: ) without a matching (' : 'unexpected text', rest.pos);
  if (!hasPositive(ast)) throw new ListeningQueryError('the query needs at least one keyword, phrase or from: to listen for, not only exclusions or lang:', 0);
  return ast;
}

export type ListeningParseResult = { ok: true; ast: ListeningNode } | { ok: false; position: number; message: string };

/** Same as parseListeningQuery, for forms that show the error next to the input. */
export function tryParseListeningQuery(query: string): ListeningParseResult {
  try {
    return { ok: true, ast: parseListeningQuery(query) };
  } catch (error) {
    if (error instanceof ListeningQueryError) return { ok: false, position: error.position, message: error.message };
    throw error;
  }
}
