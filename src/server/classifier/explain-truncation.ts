import { MAX_TEXT_CHARS } from './features/tokenize.js';
import type { Explanation } from './types.js';

/** Says plainly that only the start of a long text was read. */
export function explainTruncation(length: number): Explanation {
  return { label: 'input', features: [`text cut to its first ${MAX_TEXT_CHARS} of ${length} characters`] };
}
