import { collectMatches, withIndices } from './span.js';
import type { PiiFinding } from './types.js';

// The reference itself must contain digits, so "your order has shipped" never matches.
const REF_VALUE = '(?<value>(?=[A-Z0-9-]*\\d)[A-Z0-9](?:[A-Z0-9]|-(?=[A-Z0-9])){3,24})';
const LABEL_TAIL = '\\s*(?:no\\.?|nr\\.?|number|num|#|id|ref(?:erence)?)?\\s*(?:is|was|:|#|=)?\\s*#?\\s*';

/** Default account reference detectors: "account no. 12345678", "acct #: 55-0192-33", "member ID M99231". */
export const DEFAULT_ACCOUNT_PATTERNS: readonly RegExp[] = [
  new RegExp(`\\b(?:account|acct|a/c|customer|member(?:ship)?|policy|subscriber|loyalty)${LABEL_TAIL}${REF_VALUE}(?![A-Z0-9])`, 'dgi'),
];

/** Default order reference detectors: "order #A123-456", "booking ref: XK92831", "invoice no. 2024-0042". */
export const DEFAULT_ORDER_PATTERNS: readonly RegExp[] = [
  new RegExp(`\\b(?:order|ord|booking|reservation|confirmation|invoice|purchase)${LABEL_TAIL}${REF_VALUE}(?![A-Z0-9])`, 'dgi'),
];

// Pure small numbers after the label are quantities or prices, not references.
function isReference(text: string, f: PiiFinding): boolean {
  const v = text.slice(f.start, f.end);
  const digits = v.replace(/\D/g, '').length;
  return digits >= 3 && v.length >= 4;
}

/** Account and order references found by the workspace's (or the default) labelled patterns. */
export function findReferenceNumbers(
  text: string,
  accountPatterns: readonly RegExp[] = DEFAULT_ACCOUNT_PATTERNS,
  orderPatterns: readonly RegExp[] = DEFAULT_ORDER_PATTERNS,
  out: PiiFinding[],
): void {
  const found: PiiFinding[] = [];
  for (const r of accountPatterns) collectMatches(text, withIndices(r), 'account_number', found);
  for (const r of orderPatterns) collectMatches(text, withIndices(r), 'order_number', found);
  for (const f of found) if (isReference(text, f)) out.push(f);
}
