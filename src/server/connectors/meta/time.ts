import { asNumber, isoFromDateString, isoFromMs } from '../shared/json.js';

/** Meta mixes epoch seconds (feed `created_time`, entry.time on changes), epoch ms (messaging) and `+0000` dates. */
export function metaTime(value: unknown): string | null {
  const n = asNumber(value);
  if (n !== null) return isoFromMs(n < 1e12 ? n * 1000 : n);
  return isoFromDateString(value);
}
