import { z } from 'zod';
import { CHANNEL_LIMITS, measureForChannel, type ChannelLimit } from './channel-limits.js';

/** A canned response; `variants` replace the body on the channels they name (a short X version, say). */
export const macroSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1).max(200),
  body: z.string().min(1).max(20_000),
  variants: z.record(z.string().min(1), z.string().min(1).max(20_000)).default({}),
});
export type Macro = z.output<typeof macroSchema>;

export type MacroError =
  | { code: 'syntax'; at: number; message: string }
  | { code: 'unknown_variable'; name: string }
  | { code: 'empty_value'; name: string }
  | { code: 'not_text'; name: string }
  | { code: 'too_long'; length: number; max: number; unit: ChannelLimit['unit'] };

export type MacroRender =
  | { ok: true; text: string; length: number; max: number | null }
  | { ok: false; errors: MacroError[]; text: string | null };

type Piece = { literal: string } | { variable: string; at: number };

const VARIABLE = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/;

/** Splits a template into literals and `{{ path }}` variables; `\{{` writes a literal `{{`. */
export function parseTemplate(template: string): { pieces: Piece[]; errors: MacroError[] } {
  const pieces: Piece[] = [];
  const errors: MacroError[] = [];
  let literal = '';
  let i = 0;
  while (i < template.length) {
    if (template.startsWith('\\{{', i)) {
      literal += '{{';
      i += 3;
    } else if (template.startsWith('{{', i)) {
      const close = template.indexOf('}}', i + 2);
      if (close === -1) {
        errors.push({ code: 'syntax', at: i, message: 'unclosed {{' });
        break;
      }
      const name = template.slice(i + 2, close).trim();
      if (!VARIABLE.test(name)) errors.push({ code: 'syntax', at: i, message: `bad variable name "${name}"` });
      else {
        if (literal) pieces.push({ literal });
        literal = '';
        pieces.push({ variable: name, at: i });
      }
      i = close + 2;
    } else {
      literal += template[i];
      i++;
    }
  }
  if (literal) pieces.push({ literal });
  return { pieces, errors };
}

function lookup(variables: Readonly<Record<string, unknown>>, path: string): { found: boolean; value: unknown } {
  let v: unknown = variables;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return { found: false, value: undefined };
    v = (v as Record<string, unknown>)[key];
  }
  return { found: true, value: v };
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
// Control characters in a display name could reorder or hide text; keep newlines and tabs.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F\u202A-\u202E\u2066-\u2069]/gu;

/**
 * Renders a macro for a channel. Values are inserted as plain text (never parsed as template, HTML-escaped
 * on html channels); unknown or empty variables and replies over the channel's limit are errors, never blanks.
 */
export function renderMacro(macro: Macro, channel: string, variables: Readonly<Record<string, unknown>>): MacroRender {
  const template = macro.variants[channel] ?? macro.body;
  const { pieces, errors } = parseTemplate(template);
  const html = CHANNEL_LIMITS[channel]?.format === 'html';
  let text = '';
  for (const p of pieces) {
    if ('literal' in p) {
      text += p.literal;
      continue;
    }
    const { found, value } = lookup(variables, p.variable);
    if (!found || value === undefined) errors.push({ code: 'unknown_variable', name: p.variable });
    else if (value === null || value === '') errors.push({ code: 'empty_value', name: p.variable });
    else if (typeof value !== 'string' && typeof value !== 'number') errors.push({ code: 'not_text', name: p.variable });
    else {
      const clean = String(value).replace(CONTROL, '');
      text += html ? clean.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c) : clean;
    }
  }
  if (errors.length > 0) return { ok: false, errors, text: null };
  const { length, max, unit } = measureForChannel(text, channel);
  if (max !== null && length > max) return { ok: false, errors: [{ code: 'too_long', length, max, unit }], text };
  return { ok: true, text, length, max };
}

/** Variables a macro uses on any channel, for checking it against what the editor offers before saving. */
export function macroVariables(macro: Macro): string[] {
  const names = new Set<string>();
  for (const t of [macro.body, ...Object.values(macro.variants)]) {
    for (const p of parseTemplate(t).pieces) if ('variable' in p) names.add(p.variable);
  }
  return [...names];
}
