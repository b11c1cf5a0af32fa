import { isWithinOneEdit } from '../incidents/term-match.js';
import { normaliseEmail } from './normalise-email.js';
import { normalisePhone } from './normalise-phone.js';
import type { IdentityEvidence, IdentityFacts, IdentityReason } from './types.js';

/** Local parts shared by unrelated people (role mailboxes), never evidence of one person. */
const GENERIC_LOCAL_PARTS = new Set([
  'info', 'admin', 'contact', 'hello', 'mail', 'office', 'support', 'sales', 'help', 'team', 'me', 'test', 'noreply',
]);
const MIN_LOCAL_PART = 4;
const MIN_FUZZY_HANDLE = 6;

/** Lowercase, accents and emoji removed, whitespace collapsed: "  Zoë  Smith 🌸" → "zoe smith". */
function normaliseName(raw: string | undefined): string {
  return (raw ?? '')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Handles compared without case, a leading @, or separators: "@Jane_Doe" and "jane.doe" are alike. */
function normaliseHandle(raw: string | undefined): string {
  return (raw ?? '').toLowerCase().replace(/^@/u, '').replace(/[._\-\s]/gu, '');
}

function areHandlesSimilar(a: string, b: string): boolean {
  if (a.length < 3 || b.length < 3) return false;
  if (a === b) return true;
  return Math.min(a.length, b.length) >= MIN_FUZZY_HANDLE && isWithinOneEdit(a, b);
}

/**
 * Evidence that two platform identities are one customer. Strong evidence (the same verified
 * e-mail or phone, or the same verified private-channel link) may merge them automatically;
 * weak evidence is for a suggestion with undo, never an automatic merge.
 */
export function compareIdentities(a: IdentityFacts, b: IdentityFacts): IdentityEvidence {
  if (a.platform === b.platform && a.platformId === b.platformId) return { strength: 'strong', reasons: ['same_account'] };
  const strong: IdentityReason[] = [];
  const weak: IdentityReason[] = [];

  const linkA = a.verifiedLinkCustomerId;
  const linkB = b.verifiedLinkCustomerId;
  const isLinkConflict = Boolean(linkA && linkB && linkA !== linkB);
  if (linkA && linkA === linkB) strong.push('same_verified_link');

  const emailA = a.email ? normaliseEmail(a.email) : null;
  const emailB = b.email ? normaliseEmail(b.email) : null;
  if (emailA && emailB) {
    if (emailA === emailB) {
      if (a.emailVerified && b.emailVerified) strong.push('same_verified_email');
      else weak.push('same_unverified_email');
    } else {
      const localA = emailA.slice(0, emailA.lastIndexOf('@'));
      const localB = emailB.slice(0, emailB.lastIndexOf('@'));
      if (localA === localB && localA.length >= MIN_LOCAL_PART && !GENERIC_LOCAL_PARTS.has(localA)) weak.push('same_email_local_part');
    }
  }

  const phoneA = a.phone ? normalisePhone(a.phone) : null;
  const phoneB = b.phone ? normalisePhone(b.phone) : null;
  if (phoneA && phoneA === phoneB) {
    if (a.phoneVerified && b.phoneVerified) strong.push('same_verified_phone');
    else weak.push('same_unverified_phone');
  }

  const nameA = normaliseName(a.displayName);
  const locationA = normaliseName(a.location);
  if (nameA.length >= 3 && locationA.length > 0 && nameA === normaliseName(b.displayName) && locationA === normaliseName(b.location)) {
    weak.push('same_display_name_and_location');
  }

  if (a.platform !== b.platform && areHandlesSimilar(normaliseHandle(a.handle), normaliseHandle(b.handle))) weak.push('similar_handles');

  // Two identities each proven to belong to a different customer must never merge on their own.
  if (isLinkConflict) return { strength: strong.length + weak.length > 0 ? 'weak' : 'none', reasons: ['linked_to_different_customers', ...strong, ...weak] };
  if (strong.length > 0) return { strength: 'strong', reasons: [...strong, ...weak] };
  if (weak.length > 0) return { strength: 'weak', reasons: weak };
  return { strength: 'none', reasons: [] };
}
