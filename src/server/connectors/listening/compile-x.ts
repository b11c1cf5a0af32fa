import { ListeningQueryError } from './ast.js';
import type { ListeningAtom, ListeningNode } from './ast.js';
import { toNegationNormalForm } from './normalize.js';

export interface XRuleCompileOptions {
  /** Rule tag; the X adapter prefixes `parley:` when syncing. */
  tag: string;
  /** Rule length limit of the access tier (512 on Basic, 1024 on Pro). */
  maxLength?: number;
  excludeRetweets?: boolean;
}

export interface CompiledXRule {
  value: string;
  tag: string;
}

function renderAtom(atom: ListeningAtom): string {
  switch (atom.type) {
    case 'lang':
      return `lang:${atom.value}`;
    case 'from':
      return `from:${atom.value}`;
    case 'phrase':
      return `"${atom.value}"`;
    case 'term':
      // X reads `x:y` as an operator and splits on punctuation; quoting keeps such keywords literal.
      return /^[#@]?[\p{L}\p{N}_]+$/u.test(atom.value) ? atom.value : `"${atom.value}"`;
  }
}

/** Render a node already in negation normal form; X cannot negate a parenthesised group, NNF never needs to. */
function render(node: ListeningNode, parent: 'and' | 'or' | null): string {
  if (node.type === 'not') return `-${render(node.child, 'and')}`;
  if (node.type === 'and') {
    const text = node.children.map((c) => render(c, 'and')).join(' ');
    return parent === 'and' ? `(${text})` : text;
  }
  if (node.type === 'or') {
    const text = node.children.map((c) => render(c, 'or')).join(' OR ');
    return parent === null ? text : `(${text})`;
  }
  return renderAtom(node);
}

function finish(body: string, isOr: boolean, excludeRetweets: boolean): string {
  if (!excludeRetweets) return body;
  return isOr ? `(${body}) -is:retweet` : `${body} -is:retweet`;
}

/**
 * Compile a listening query to X filtered-stream rules. A query longer than the tier's limit is
 * split on its top-level ORs into several rules with the same tag (their union is the query).
 */
export function compileToXRules(ast: ListeningNode, options: XRuleCompileOptions): CompiledXRule[] {
  const maxLength = options.maxLength ?? 512;
  const excludeRetweets = options.excludeRetweets ?? true;
  const nnf = toNegationNormalForm(ast);
  const whole = finish(render(nnf, null), nnf.type === 'or', excludeRetweets);
  if (whole.length <= maxLength) return [{ value: whole, tag: options.tag }];
  const tooLong = (): ListeningQueryError =>
    new ListeningQueryError(`the query compiles to an X rule of ${whole.length} characters and cannot be split under X's limit of ${maxLength}; shorten it or split it into several queries`, 0);
  if (nnf.type !== 'or') throw tooLong();
  const rules: CompiledXRule[] = [];
  let current: string[] = [];
  const flush = (): void => {
    if (current.length > 0) rules.push({ value: finish(current.join(' OR '), current.length > 1, excludeRetweets), tag: options.tag });
    current = [];
  };
  for (const branch of nnf.children.map((c) => render(c, 'or'))) {
    if (finish(branch, false, excludeRetweets).length > maxLength) throw tooLong();
    if (finish([...current, branch].join(' OR '), true, excludeRetweets).length > maxLength) flush();
    current.push(branch);
  }
  flush();
  return rules;
}
