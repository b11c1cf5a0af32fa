import { detectPii } from './detect-pii.js';
import type { PiiFinding, PiiOptions } from './types.js';

export interface CheckReplyOptions extends Omit<PiiOptions, 'allowTypes'> {
  visibility: 'public' | 'private';
  /** Types the workspace admin allows in public replies (still reported, never blocking). */
  allow?: readonly string[];
}

export interface CheckReplyResult {
  allowed: boolean;
  findings: PiiFinding[];
  /** Why a reply was blocked, naming types and spans but never the data. */
  reason?: string;
}

/**
 * The guard in front of every outbound reply: a public reply carrying personal data is blocked,
 * a private one goes through with its findings reported.
 */
export function checkReply(text: string, opts: CheckReplyOptions): CheckReplyResult {
  const { visibility, allow, ...detectOpts } = opts;
  const findings = detectPii(text, detectOpts);
  if (visibility === 'private') return { allowed: true, findings };
  const blocking = allow && allow.length > 0 ? findings.filter((f) => !allow.includes(f.type)) : findings;
  if (blocking.length === 0) return { allowed: true, findings };
  const spans = blocking.map((f) => `${f.type} at ${f.start}-${f.end}`).join(', ');
  return {
    allowed: false,
    findings,
    reason: `public reply contains personal data (${spans}); move the conversation to a private channel or remove it`,
  };
}
