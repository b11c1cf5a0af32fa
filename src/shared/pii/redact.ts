import type { PiiFinding } from './types.js';

/** Replaces each finding's span with its type in brackets ("[card]"), for analytics copies of a text. */
export function redactPii(text: string, findings: readonly PiiFinding[]): string {
  const spans = findings
    .filter((f) => f.start >= 0 && f.end <= text.length && f.start < f.end)
    .slice()
    .sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let cursor = 0;
  for (const f of spans) {
    // A span overlapping one already replaced is covered by that replacement.
    if (f.start < cursor) continue;
    out += text.slice(cursor, f.start) + `[${f.type}]`;
    cursor = f.end;
  }
  return out + text.slice(cursor);
}
