/**
 * Incident ids come from the first member's message id, so replaying the same input yields the
 * same ids and a retried correlate job cannot create a second copy of an incident.
 */
export function incidentIdFor(firstMemberId: string): string {
  // Two FNV-1a passes with different offsets: 64 bits without BigInt.
  let h1 = 0x811c9dc5;
  let h2 = 0x050c5d1f;
  for (let i = 0; i < firstMemberId.length; i++) {
    const code = firstMemberId.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 0x01000193);
    h2 = Math.imul(h2 ^ code, 0x01000193) ^ (h1 >>> 15);
  }
  const hex = (value: number): string => (value >>> 0).toString(16).padStart(8, '0');
  return `inc_${hex(h1)}${hex(h2)}`;
}
