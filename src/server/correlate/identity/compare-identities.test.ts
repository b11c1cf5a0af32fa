import { describe, expect, it } from 'vitest';
import { compareIdentities } from './compare-identities.js';
import { normaliseEmail } from './normalise-email.js';
import { normalisePhone } from './normalise-phone.js';
import type { IdentityFacts } from './types.js';

const x = (facts: Partial<IdentityFacts> = {}): IdentityFacts => ({ platform: 'x', platformId: 'x-1', ...facts });
const fb = (facts: Partial<IdentityFacts> = {}): IdentityFacts => ({ platform: 'facebook', platformId: 'fb-9', ...facts });

describe('normaliseEmail', () => {
  it('folds case, Gmail dots and plus tags, and the googlemail alias', () => {
    expect(normaliseEmail('  Jane.Doe+parley@GoogleMail.com ')).toBe('janedoe@gmail.com');
    expect(normaliseEmail('j.a.n.e.doe@gmail.com')).toBe('janedoe@gmail.com');
  });
  it('keeps dots and plus signs where the provider does not ignore them', () => {
    expect(normaliseEmail('Jane.Doe+x@example.co.uk')).toBe('jane.doe+x@example.co.uk');
    expect(normaliseEmail('jane.doe+x@outlook.com')).toBe('jane.doe@outlook.com');
  });
  it('rejects what is not an address', () => {
    expect(normaliseEmail('not an email')).toBeNull();
    expect(normaliseEmail('+tag@gmail.com')).toBeNull();
  });
});

describe('normalisePhone', () => {
  it('writes numbers in E.164', () => {
    expect(normalisePhone('07911 123456', 'GB')).toBe('+447911123456');
    expect(normalisePhone('+44 (0)7911-123-456')).toBe('+447911123456');
    expect(normalisePhone('+1 415 555 2671')).toBe('+14155552671');
  });
  it('returns null for numbers that cannot be valid', () => {
    expect(normalisePhone('12')).toBeNull();
    expect(normalisePhone('07911 123456')).toBeNull(); // no country given
  });
});

describe('compareIdentities', () => {
  it('merges on the same verified email, however it is written', () => {
    const result = compareIdentities(
      x({ email: 'Jane.Doe@gmail.com', emailVerified: true }),
      fb({ email: 'janedoe+shop@googlemail.com', emailVerified: true }),
    );
    expect(result).toEqual({ strength: 'strong', reasons: ['same_verified_email'] });
  });
  it('only suggests when the shared email is not verified on both sides', () => {
    const result = compareIdentities(x({ email: 'jane@example.com', emailVerified: true }), fb({ email: 'JANE@example.com' }));
    expect(result).toEqual({ strength: 'weak', reasons: ['same_unverified_email'] });
  });
  it('merges on the same verified phone in different notations', () => {
    const result = compareIdentities(
      x({ phone: '+44 7911 123456', phoneVerified: true }),
      fb({ phone: '+447911123456', phoneVerified: true }),
    );
    expect(result.strength).toBe('strong');
    expect(result.reasons).toContain('same_verified_phone');
  });
  it('merges on a verified link made through the private channel', () => {
    expect(compareIdentities(x({ verifiedLinkCustomerId: 'cus_1' }), fb({ verifiedLinkCustomerId: 'cus_1' }))).toEqual({
      strength: 'strong',
      reasons: ['same_verified_link'],
    });
  });
  it('never merges identities linked to different customers, even with a shared verified email', () => {
    const result = compareIdentities(
      x({ verifiedLinkCustomerId: 'cus_1', email: 'a@b.com', emailVerified: true }),
      fb({ verifiedLinkCustomerId: 'cus_2', email: 'a@b.com', emailVerified: true }),
    );
    expect(result.strength).toBe('weak');
    expect(result.reasons[0]).toBe('linked_to_different_customers');
  });
  it('suggests on the same display name and location', () => {
    const result = compareIdentities(
      x({ displayName: 'Zoë  Smith 🌸', location: 'Leeds, UK' }),
      fb({ displayName: 'zoe smith', location: 'leeds uk' }),
    );
    expect(result).toEqual({ strength: 'weak', reasons: ['same_display_name_and_location'] });
  });
  it('does not suggest on the same name alone', () => {
    expect(compareIdentities(x({ displayName: 'Zoe Smith', location: 'Leeds' }), fb({ displayName: 'Zoe Smith', location: 'York' })).strength).toBe('none');
  });
  it('suggests on the same email local part across domains, but not for role mailboxes', () => {
    expect(compareIdentities(x({ email: 'zoe.smith77@work.com' }), fb({ email: 'zoe.smith77@home.net' })).reasons).toEqual(['same_email_local_part']);
    expect(compareIdentities(x({ email: 'info@a.com' }), fb({ email: 'info@b.com' })).strength).toBe('none');
  });
  it('suggests on similar handles across platforms only', () => {
    expect(compareIdentities(x({ handle: '@Zoe_Smith' }), fb({ handle: 'zoe.smith' })).reasons).toEqual(['similar_handles']);
    expect(compareIdentities(x({ handle: 'zoesmith88' }), fb({ handle: 'zoesmith89' })).reasons).toEqual(['similar_handles']);
    expect(compareIdentities(x({ handle: 'zoe' }), fb({ handle: 'zoey' })).strength).toBe('none');
    expect(compareIdentities(x({ handle: 'zoesmith' }), x({ platformId: 'x-2', handle: 'zoesmith' })).strength).toBe('none');
  });
  it('treats the same account as strong and unrelated identities as none', () => {
    expect(compareIdentities(x(), x()).strength).toBe('strong');
    expect(compareIdentities(x({ handle: 'alpha', email: 'a@x.com' }), fb({ handle: 'omega', email: 'b@y.com' }))).toEqual({ strength: 'none', reasons: [] });
  });
});
