export type WindowDecision =
  /** Inside the free-form window (or the last inbound time is unknown: the platform will judge). */
  | { type: 'open' }
  /** Past the free-form window but inside the extended window a tag allows (Messenger HUMAN_AGENT). */
  | { type: 'tagged'; hoursSince: number }
  | { type: 'closed'; hoursSince: number };

/** Where a private message falls relative to the customer's last inbound message (CONNECTORS.md §2.5, §7). */
export function messagingWindow(lastInboundAt: string | null | undefined, options: { openHours: number; taggedHours?: number; nowMs?: number }): WindowDecision {
  if (!lastInboundAt) return { type: 'open' };
  const last = Date.parse(lastInboundAt);
  if (Number.isNaN(last)) return { type: 'open' };
  const hoursSince = Math.max(0, ((options.nowMs ?? Date.now()) - last) / 3_600_000);
  if (hoursSince <= options.openHours) return { type: 'open' };
  if (options.taggedHours !== undefined && hoursSince <= options.taggedHours) return { type: 'tagged', hoursSince };
  return { type: 'closed', hoursSince };
}
