import type { z } from 'zod';
import { AppError } from '../platform/errors.js';

/** Parses with a zod schema or throws one `validation_failed` naming every offending field (prefixed, dotted). */
export const parseOrThrow = <S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.output<S> => {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw validationError(result.error, prefix);
};

export const validationError = (error: z.ZodError, prefix = ''): AppError => {
  const errors = error.issues.map((i) => {
    const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    const field = prefix ? (path ? `${prefix}.${path}`.replace('.[', '[') : prefix) : path || 'body';
    return { field, message: i.message };
  });
  const first = errors[0] ?? { field: prefix || 'body', message: 'invalid' };
  return new AppError('validation_failed', errors.map((e) => `${e.field}: ${e.message}`).join('; '), first.field, { errors });
};
