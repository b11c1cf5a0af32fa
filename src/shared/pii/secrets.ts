import type { PiiFinding } from './types.js';

// A code counts as a one-time code when it is qualified ("verification code", "my code") or stated ("code is", "code:").
const OTP =
  /\b(?<qual>[a-z][a-z-]*\s+)?(?:code|otp|pin|passcode|one[- ]time (?:code|password)|2fa|token)\b\s*(?<conn>is|was|:|=|-)?\s*(?:is\s+)?["'“]?(?<value>\d{4,8}|\d{3}[ -]\d{3})(?![\d:/%]|[.,-]\d)/dgi;
const OTP_QUALIFIERS = new Set([
  'verification', 'security', 'confirmation', 'login', 'sign-in', 'signin', 'auth', 'authentication',
  'access', 'sms', 'my', 'the', 'your', 'this', 'one-time', 'onetime', 'text', 'texted', 'sent', 'mfa', 'unlock', 'reset', 'card', 'bank',
]);
// Codes that are public by nature: errors, promotions, postal and dialling codes.
const NOT_SECRET_QUALIFIERS = new Set([
  'error', 'status', 'zip', 'postal', 'post', 'area', 'country', 'promo', 'promotional', 'discount', 'coupon',
  'voucher', 'gift', 'referral', 'product', 'tracking', 'http', 'response', 'exit', 'reason', 'qr', 'bar', 'sort',
  'dialling', 'dialing', 'fault', 'return', 'item', 'model', 'source', 'colour', 'color', 'dress', 'tax',
]);

const PASSWORD =
  /\b(?:password|passwd|pwd|passphrase|pass word)\b\s*(?<conn>is|was|:|=|-)\s*(?:now\s+|still\s+)?(?<value>"[^"\n]{1,64}"|'[^'\n]{1,64}'|[^\s"']{2,64})/dgi;
// Words that follow "password is" in ordinary support talk rather than a password.
const NOT_PASSWORDS = new Set([
  'incorrect', 'wrong', 'invalid', 'expired', 'required', 'reset', 'changed', 'too', 'not', 'the', 'a', 'an',
  'being', 'case', 'case-sensitive', 'correct', 'locked', 'needed', 'missing', 'weak', 'strong', 'stored', 'encrypted',
  'hashed', 'never', 'always', 'only', 'at', 'in', 'on', 'for', 'to', 'your', 'my', 'our', 'their', 'this', 'that',
  'sent', 'shared', 'safe', 'secure', 'visible', 'hidden', 'different', 'same', 'set', 'updated', 'working', 'accepted',
  'rejected', 'blank', 'empty', 'short', 'long', 'new', 'old', 'forgotten', 'lost', 'also', 'then', 'and', 'or',
  'please', 'click', 'use', 'enter', 'type', 'choose', 'pick', 'create', 'change', 'no', 'n/a', 'managed', 'protected',
  'private', 'personal', 'confidential', 'unique', 'temporary', 'one', 'it', 'what', 'how', 'why', 'we', 'you', 'i',
]);

/** One-time codes, PINs and passwords stated in a message ("my code is 482913", "password: hunter2"). */
export function findSecrets(text: string, out: PiiFinding[]): void {
  OTP.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = OTP.exec(text)) !== null) {
    const span = m.indices?.groups?.['value'];
    if (!span) continue;
    const qual = m.groups?.['qual']?.trim().toLowerCase();
    if (qual && NOT_SECRET_QUALIFIERS.has(qual)) continue;
    const qualified = qual !== undefined && OTP_QUALIFIERS.has(qual);
    if (!qualified && !m.groups?.['conn']) continue;
    out.push({ type: 'otp', start: span[0], end: span[1] });
  }
  PASSWORD.lastIndex = 0;
  while ((m = PASSWORD.exec(text)) !== null) {
    const span = m.indices?.groups?.['value'];
    if (!span) continue;
    let end = span[1];
    // Sentence punctuation after an unquoted password belongs to the sentence.
    while (end > span[0] + 1 && /[.,;)]/.test(text[end - 1] ?? '') && !/["']/.test(text[span[0]] ?? '')) end--;
    const value = text.slice(span[0], end).toLowerCase();
    if (NOT_PASSWORDS.has(value)) continue;
    out.push({ type: 'password', start: span[0], end });
  }
}
