import { describe, expect, it } from 'vitest';
import { checkReply } from './check-reply.js';
import { redactPii } from './redact.js';

describe('checkReply', () => {
  const leaky = 'Sure Ana, we updated 4111 1111 1111 1111 and will email ana@example.com';

  it('blocks a public reply with personal data and says why without the data', () => {
    const r = checkReply(leaky, { visibility: 'public' });
    expect(r.allowed).toBe(false);
    expect(r.findings.map((f) => f.type)).toEqual(['card', 'email']);
    expect(r.reason).toContain('card at 21-40');
    expect(r.reason).not.toContain('4111');
    expect(r.reason).not.toContain('ana@');
  });

  it('lets a private reply through with its findings', () => {
    const r = checkReply(leaky, { visibility: 'private' });
    expect(r).toEqual({ allowed: true, findings: expect.any(Array) });
    expect(r.findings).toHaveLength(2);
  });

  it('lets a clean public reply through', () => {
    expect(checkReply('Sorry about the delay! Your refund of $45.00 is on its way, usually 3-5 days.', { visibility: 'public' })).toEqual({
      allowed: true,
      findings: [],
    });
  });

  it('honours types the workspace allows in public', () => {
    const text = 'Your order #A123-456 has shipped.';
    expect(checkReply(text, { visibility: 'public' }).allowed).toBe(false);
    const r = checkReply(text, { visibility: 'public', allow: ['order_number'] });
    expect(r.allowed).toBe(true);
    expect(r.findings.map((f) => f.type)).toEqual(['order_number']);
    expect(checkReply(leaky, { visibility: 'public', allow: ['email'] }).allowed).toBe(false);
  });

  it('honours the workspace own contact details', () => {
    const r = checkReply('Email support@acme.com or call +1 415 555 2671', {
      visibility: 'public',
      allowPatterns: [/support@acme\.com/i, /\+1 415 555 2671/],
    });
    expect(r).toEqual({ allowed: true, findings: [] });
  });
});

describe('redactPii', () => {
  it('replaces spans with their types', () => {
    const text = 'Card 4111 1111 1111 1111, mail ana@example.com.';
    const findings = checkReply(text, { visibility: 'private' }).findings;
    expect(redactPii(text, findings)).toBe('Card [card], mail [email].');
  });

  it('ignores overlapping and out-of-range spans', () => {
    expect(
      redactPii('abcdef', [
        { type: 'x', start: 1, end: 4 },
        { type: 'y', start: 2, end: 3 },
        { type: 'z', start: 5, end: 99 },
      ]),
    ).toBe('a[x]ef');
  });
});
