import type { z } from 'zod';

/**
 * Parse a channel's stored config or credentials with a schema, listing every problem by key.
 * Messages name the keys only: credential values must never reach an error or a log.
 */
export function parseChannelSettings<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new Error(`invalid ${what}: ${problems.join('; ')}`);
}
