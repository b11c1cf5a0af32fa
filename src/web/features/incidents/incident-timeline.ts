import type { IncidentMemberDto } from '../../api/types.js';

export interface TimeBucket {
  time: string;
  [channelId: string]: string | number;
}

/** Bucket width: about 12–30 bars whatever the incident's length, on round minutes. */
const widths = [60_000, 5 * 60_000, 15 * 60_000, 30 * 60_000, 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 24 * 3_600_000];

/** Members counted per time bucket and channel, for the incident's time chart; empty buckets are kept so gaps show. */
export const bucketMembers = (members: readonly IncidentMemberDto[]): { buckets: TimeBucket[]; channelIds: string[] } => {
  if (members.length === 0) return { buckets: [], channelIds: [] };
  const times = members.map((m) => Date.parse(m.createdAt));
  const from = Math.min(...times);
  const to = Math.max(...times);
  const width = widths.find((w) => (to - from) / w <= 30) ?? widths[widths.length - 1] ?? 3_600_000;
  const start = Math.floor(from / width) * width;
  const count = Math.floor((to - start) / width) + 1;
  const channelIds = [...new Set(members.map((m) => m.channelId))].sort();
  const label = (at: number) => new Date(at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  const buckets: TimeBucket[] = Array.from({ length: count }, (_, i) => {
    const bucket: TimeBucket = { time: label(start + i * width) };
    for (const id of channelIds) bucket[id] = 0;
    return bucket;
  });
  members.forEach((m, i) => {
    const bucket = buckets[Math.floor(((times[i] ?? start) - start) / width)];
    if (bucket) bucket[m.channelId] = Number(bucket[m.channelId] ?? 0) + 1;
  });
  return { buckets, channelIds };
};
