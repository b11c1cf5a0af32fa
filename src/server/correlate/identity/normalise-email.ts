/** Mailbox providers that ignore "+tag" suffixes, and those that also ignore dots in the local part. */
const PLUS_TAG_DOMAINS = new Set([
  'gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'icloud.com', 'me.com',
  'fastmail.com', 'protonmail.com', 'proton.me', 'pm.me', 'yahoo.com',
]);
const DOTLESS_DOMAINS = new Set(['gmail.com', 'googlemail.com']);
const DOMAIN_ALIASES: Record<string, string> = { 'googlemail.com': 'gmail.com' };

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;

/**
 * The canonical mailbox an address delivers to, or null when it is not an address:
 * lowercase; for providers that ignore them, "+tag" suffixes and (Gmail) dots removed.
 */
export function normaliseEmail(raw: string): string | null {
  const email = raw.trim().toLowerCase().replace(/^mailto:/u, '');
  if (!EMAIL_SHAPE.test(email)) return null;
  const at = email.lastIndexOf('@');
  let local = email.slice(0, at);
  let domain = email.slice(at + 1).replace(/\.$/u, '');
  domain = DOMAIN_ALIASES[domain] ?? domain;
  if (PLUS_TAG_DOMAINS.has(domain)) local = local.split('+')[0] ?? local;
  if (DOTLESS_DOMAINS.has(domain)) local = local.replaceAll('.', '');
  if (local.length === 0) return null;
  return `${local}@${domain}`;
}
