import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { z } from 'zod';
import { checkReply } from '../../shared/pii/index.js';
import type { CheckReplyOptions } from '../../shared/pii/index.js';
import { notAllowed, type CompiledAllow } from './pii-allow.js';

const lineSchema = z.object({
  id: z.union([z.string(), z.number()]),
  text: z.string(),
  visibility: z.enum(['public', 'private']).default('public'),
});

export type CheckReplyStreamOptions = Omit<CheckReplyOptions, 'visibility'> & {
  /** The workspace's allowed patterns, so the verdicts are the API's. */
  allowed?: readonly CompiledAllow[];
};

function describeProblem(line: string): { id: string | number | null; error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { id: null, error: 'line is not valid JSON' };
  }
  const result = lineSchema.safeParse(parsed);
  const id = typeof parsed === 'object' && parsed !== null && 'id' in parsed ? parsed.id : null;
  const issues = result.success ? 'invalid line' : result.error.issues.map((i) => `${i.path.join('.') || 'line'}: ${i.message}`).join('; ');
  return { id: typeof id === 'string' || typeof id === 'number' ? id : null, error: issues };
}

/**
 * `parley check-reply`: JSON lines `{"id","text","visibility"?}` in, one verdict line
 * `{"id","allowed","findings"}` out per input line. A bad line yields `{"id":null,"error"}` (the id is
 * echoed when it could be read) and processing continues.
 */
export async function runCheckReply(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  opts: CheckReplyStreamOptions = {},
): Promise<void> {
  const write = async (value: unknown): Promise<void> => {
    if (!output.write(JSON.stringify(value) + '\n')) await once(output, 'drain');
  };
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const raw of lines) {
    const line = raw.trim();
    if (line === '') continue;
    let parsed: z.infer<typeof lineSchema> | null = null;
    try {
      const result = lineSchema.safeParse(JSON.parse(line));
      if (result.success) parsed = result.data;
    } catch {
      parsed = null;
    }
    if (!parsed) {
      await write(describeProblem(line));
      continue;
    }
    const { allowed, ...detectOpts } = opts;
    const verdict = checkReply(parsed.text, { ...detectOpts, visibility: parsed.visibility });
    await write({
      id: parsed.id,
      allowed: verdict.allowed || notAllowed(parsed.text, verdict.findings, allowed ?? []).length === 0,
      findings: verdict.findings.map((f) => ({ type: f.type, start: f.start, end: f.end })),
    });
  }
}
