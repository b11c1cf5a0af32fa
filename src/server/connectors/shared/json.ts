/** Narrowing helpers for untrusted platform JSON: every payload is `unknown` until read through these. */

export type JsonRecord = Record<string, unknown>;

export function asRecord(value: unknown): JsonRecord | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonRecord) : null;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A non-empty string, or a finite number rendered as a string (platform ids arrive as both). */
export function asString(value: unknown): string | null {
  if (typeof value === 'string') return value.length > 0 ? value : null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

export function asNumber(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

/** A follower count the Envelope accepts: a non-negative integer, else null. */
export function asCount(value: unknown): number | null {
  const n = asNumber(value);
  return n === null || n < 0 ? null : Math.floor(n);
}

/** Parse a JSON string or Buffer; objects pass through. Returns null on malformed input instead of throwing. */
export function parseJsonValue(input: unknown): unknown {
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    try {
      return JSON.parse(input.toString()) as unknown;
    } catch {
      return null;
    }
  }
  return input;
}

/** ISO-8601 with offset from epoch milliseconds, or null when out of range. */
export function isoFromMs(ms: number | null): string | null {
  if (ms === null) return null;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Normalise any parseable date string (RFC 2822, ISO without offset, `+0000`) to ISO-8601 UTC. */
export function isoFromDateString(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const date = new Date(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
