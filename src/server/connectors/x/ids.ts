import { isoFromMs } from '../shared/json.js';

/** X snowflake ids carry milliseconds since this epoch in their upper bits. */
const twitterEpochMs = 1288834974657n;

/** Creation time encoded in a snowflake id, used when `created_at` was not requested. */
export function xSnowflakeTime(id: string): string | null {
  if (!/^\d{1,20}$/.test(id)) return null;
  const ms = (BigInt(id) >> 22n) + twitterEpochMs;
  return ms > twitterEpochMs ? isoFromMs(Number(ms)) : null;
}

export function xStatusUrl(handle: string | null, id: string): string {
  return `https://x.com/${handle ?? 'i/web'}/status/${id}`;
}

/** The 1:1 dm_conversation_id X assigns: "<lower id>-<higher id>" compared as 64-bit numbers. */
export function xOneToOneConversationId(a: string, b: string): string {
  const numeric = /^\d+$/.test(a) && /^\d+$/.test(b);
  const aFirst = numeric ? BigInt(a) <= BigInt(b) : a <= b;
  const [lo, hi] = aFirst ? [a, b] : [b, a];
  return `${lo}-${hi}`;
}
