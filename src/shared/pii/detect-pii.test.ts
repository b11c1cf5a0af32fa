import { describe, expect, it } from 'vitest';
import { detectPii } from './detect-pii.js';
import type { PiiOptions } from './types.js';

/** Findings as [type, matched text] pairs, so offsets are checked against the input itself. */
function spans(text: string, opts?: PiiOptions): [string, string][] {
  return detectPii(text, opts).map((f) => [f.type, text.slice(f.start, f.end)]);
}

describe('detectPii', () => {
  it('finds emails with plus tags and subdomains', () => {
    expect(spans('Write to jane.doe+orders@mail.example.co.uk today.')).toEqual([['email', 'jane.doe+orders@mail.example.co.uk']]);
    expect(spans('Ping @acme_support or visit acme.com/help')).toEqual([]);
  });

  it('finds phones in international and national formats', () => {
    expect(spans('Call (415) 555-2671 or +44 20 7946 0958.')).toEqual([
      ['phone', '(415) 555-2671'],
      ['phone', '+44 20 7946 0958'],
    ]);
    expect(spans('ring 0044 20 7946 0958 or 415.555.2671')).toEqual([
      ['phone', '0044 20 7946 0958'],
      ['phone', '415.555.2671'],
    ]);
    expect(spans('mobile 07911 123456', { nationalRegions: ['GB'] })).toEqual([['phone', '07911 123456']]);
    expect(spans('mobile 07911 123456')).toEqual([]);
    expect(spans('Mi número es 612 34 56 78', { defaultRegion: 'ES' })).toEqual([['phone', '612 34 56 78']]);
  });

  it('does not take prices, dates, times, versions or ticket numbers for phones', () => {
    expect(spans('Refund of $1,299.99 issued on 2026-11-23 at 10:30, version 2.3.14, ticket 4839201, over 1500000 users.')).toEqual([]);
    expect(spans('Open 9-5, rooms 2201-2205, ticket #4155552671, build 20261123.')).toEqual([]);
  });

  it('finds cards that pass Luhn, spaced, dashed or compact', () => {
    expect(spans('card 4111 1111 1111 1111')).toEqual([['card', '4111 1111 1111 1111']]);
    expect(spans('card 5555-5555-5555-4444 ok')).toEqual([['card', '5555-5555-5555-4444']]);
    expect(spans('amex 378282246310005')).toEqual([['card', '378282246310005']]);
    expect(spans('card 4111 1111 1111 1112')).toEqual([]);
  });

  it('finds IBANs by registered length and mod-97', () => {
    expect(spans('IBAN DE89 3704 0044 0532 0130 00 thanks')).toEqual([['iban', 'DE89 3704 0044 0532 0130 00']]);
    expect(spans('pay to GB82WEST12345698765432.')).toEqual([['iban', 'GB82WEST12345698765432']]);
    expect(spans('IBAN DE88 3704 0044 0532 0130 00')).toEqual([]);
  });

  it('finds SSNs and pluggable national ids', () => {
    expect(spans('my SSN is 123-45-6789')).toEqual([['ssn', '123-45-6789']]);
    expect(spans('ssn: 123456789')).toEqual([['ssn', '123456789']]);
    expect(spans('ref 000-12-3456 and 666-12-3456')).toEqual([]);
    expect(spans('NI number AB 12 34 56 C')).toEqual([['ssn', 'AB 12 34 56 C']]);
    expect(spans('DNI 12345678Z, no 12345678A')).toEqual([['ssn', '12345678Z']]);
    const custom = { nationalIdPatterns: [{ type: 'aadhaar', regex: /\b\d{4} \d{4} \d{4}\b/g }] };
    expect(spans('aadhaar 2345 6789 0123', custom)).toEqual([['aadhaar', '2345 6789 0123']]);
  });

  it('finds dates of birth only next to a birth cue', () => {
    expect(spans('I was born on March 3, 1985')).toEqual([['dob', 'March 3, 1985']]);
    expect(spans('DOB: 03/04/1985.')).toEqual([['dob', '03/04/1985']]);
    expect(spans('date of birth is 1985-04-03')).toEqual([['dob', '1985-04-03']]);
    expect(spans('Delivered on March 3, 2026 and 03/04/2026.')).toEqual([]);
  });

  it('finds street addresses in several countries forms', () => {
    expect(spans('I live at 221B Baker Street, London.')).toEqual([['address', '221B Baker Street']]);
    expect(spans('send it to 350 W 34th St, Apt 4B please')).toEqual([['address', '350 W 34th St, Apt 4B']]);
    expect(spans('Hauptstraße 5 in Berlin')).toEqual([['address', 'Hauptstraße 5']]);
    expect(spans('au 12 rue de la Paix, Paris')).toEqual([['address', '12 rue de la Paix']]);
    expect(spans('Via Roma 10, Milano')).toEqual([['address', 'Via Roma 10']]);
    expect(spans('I live at 12 oak street now')).toEqual([['address', '12 oak street']]);
    expect(spans('Share your 5 Google Drive files with us')).toEqual([]);
    expect(spans('It takes 3 business days to arrive.')).toEqual([]);
  });

  it('finds account and order references by label', () => {
    expect(spans('account no. 12345678')).toEqual([['account_number', '12345678']]);
    expect(spans('Your order #A123-456 has shipped')).toEqual([['order_number', 'A123-456']]);
    expect(spans('Your order has shipped; order 2 more?')).toEqual([]);
    const custom = { orderPatterns: [/\bRMA-(?<value>\d{5})\b/g] };
    expect(spans('return RMA-55123 and order #A123-456', custom)).toEqual([['order_number', '55123']]);
  });

  it('finds stated one-time codes and passwords but not public codes', () => {
    expect(spans('my code is 482913.')).toEqual([['otp', '482913']]);
    expect(spans('verification code 1234')).toEqual([['otp', '1234']]);
    expect(spans('password: hunter2, thanks')).toEqual([['password', 'hunter2']]);
    expect(spans('my password is "correct horse"')).toEqual([['password', '"correct horse"']]);
    expect(spans('Use promo code 2024; error code is 500; zip code: 94103.')).toEqual([]);
    expect(spans('Your password is case-sensitive and the password is reset.')).toEqual([]);
  });

  it('finds a name only beside other personal data', () => {
    expect(spans('John Smith, 4111 1111 1111 1111')).toEqual([
      ['name', 'John Smith'],
      ['card', '4111 1111 1111 1111'],
    ]);
    expect(spans('4111 1111 1111 1111 (Ana Lopez)')).toEqual([
      ['card', '4111 1111 1111 1111'],
      ['name', 'Ana Lopez'],
    ]);
    expect(spans('Thanks Mary Jones, see you on Monday')).toEqual([]);
  });

  it('reports UTF-16 offsets after astral characters', () => {
    const text = '🙂🙂 mail me: a@b.io';
    const [f] = detectPii(text);
    expect(f).toEqual({ type: 'email', start: text.indexOf('a@b.io'), end: text.length });
  });

  it('applies workspace extra patterns, type filters and allowed patterns', () => {
    const extra = { extraPatterns: [{ type: 'employee_id', regex: /\bEMP-\d{5}\b/ }] };
    expect(spans('badge EMP-12345', extra)).toEqual([['employee_id', 'EMP-12345']]);
    const text = 'Mail support@acme.com or me at jo@example.org, card 4111 1111 1111 1111';
    expect(spans(text, { allowPatterns: [/support@acme\.com/i] }).map(([t]) => t)).toEqual(['email', 'card']);
    expect(spans(text, { types: ['card'] })).toEqual([['card', '4111 1111 1111 1111']]);
    expect(spans(text, { allowTypes: ['email'] })).toEqual([['card', '4111 1111 1111 1111']]);
  });

  it('never returns the matched text and never overlaps', () => {
    const text = 'John Smith, 4111 1111 1111 1111, +1 415 555 2671, john@x.com, DE89 3704 0044 0532 0130 00';
    const found = detectPii(text);
    for (const f of found) expect(Object.keys(f).sort()).toEqual(['end', 'start', 'type']);
    for (let i = 1; i < found.length; i++) expect(found[i]!.start).toBeGreaterThanOrEqual(found[i - 1]!.end);
  });
});
