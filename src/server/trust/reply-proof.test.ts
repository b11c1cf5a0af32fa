import { describe, expect, it } from 'vitest';
import { detectPii } from '../../shared/pii/detect-pii.js';
import { maskProofCodes } from './reply-proof.js';

describe('maskProofCodes', () => {
  it('blanks the codes of verify links, keeping every other character where it was', () => {
    const text = 'Refunded.\n\nVerify this reply: https://acme.test/p/verify?code=48213907';
    const masked = maskProofCodes(text);
    expect(masked).toHaveLength(text.length);
    expect(masked.endsWith('/p/verify?code=XXXXXXXX')).toBe(true);
    // Digits in a random proof code look like a one-time code to the detector; masked, they do not.
    expect(detectPii(text, {}).map((f) => f.type)).toContain('otp');
    expect(detectPii(masked, {})).toEqual([]);
  });

  it('leaves personal data elsewhere in the reply where the detector finds it', () => {
    const text = 'Card 4111 1111 1111 1111 refunded. Verify this reply: https://acme.test/p/verify?code=4821K907';
    expect(detectPii(maskProofCodes(text), {}).map((f) => [f.type, text.slice(f.start, f.end)])).toEqual([['card', '4111 1111 1111 1111']]);
  });
});
