import type { ListeningAtom, ListeningNode } from './ast.js';
import { isAtom } from './ast.js';

/** Negation normal form: NOT pushed down to atoms by De Morgan (platforms that cannot negate groups need this). */
export function toNegationNormalForm(node: ListeningNode, negated = false): ListeningNode {
  if (node.type === 'not') return toNegationNormalForm(node.child, !negated);
  if (node.type === 'and' || node.type === 'or') {
    const type = negated ? (node.type === 'and' ? 'or' : 'and') : node.type;
    const children = node.children.map((c) => toNegationNormalForm(c, negated));
    // Flatten nested groups of the same operator.
    return { type, children: children.flatMap((c) => (c.type === type ? c.children : [c])) };
  }
  return negated ? { type: 'not', child: node } : node;
}

/** A literal of a conjunct: an atom, possibly negated. */
export interface Literal {
  atom: ListeningAtom;
  negated: boolean;
}

/**
 * Disjunctive normal form (an OR of ANDs of literals), or null when it would exceed `limit`
 * conjuncts: distributing AND over OR can grow exponentially.
 */
export function toDisjunctiveNormalForm(node: ListeningNode, limit = 64): Literal[][] | null {
  const nnf = toNegationNormalForm(node);
  const walk = (n: ListeningNode): Literal[][] | null => {
    if (isAtom(n)) return [[{ atom: n, negated: false }]];
    if (n.type === 'not') return isAtom(n.child) ? [[{ atom: n.child, negated: true }]] : null;
    if (n.type === 'or') {
      const out: Literal[][] = [];
      for (const child of n.children) {
        const part = walk(child);
        if (!part) return null;
        out.push(...part);
        if (out.length > limit) return null;
      }
      return out;
    }
    let product: Literal[][] = [[]];
    for (const child of n.children) {
      const part = walk(child);
      if (!part) return null;
      const next: Literal[][] = [];
      for (const left of product) for (const right of part) next.push([...left, ...right]);
      if (next.length > limit) return null;
      product = next;
    }
    return product;
  };
  return walk(nnf);
}
