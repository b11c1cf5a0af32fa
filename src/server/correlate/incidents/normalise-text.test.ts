import { describe, expect, it } from 'vitest';
import { poissonSurprise } from './burst-test.js';
import { incidentIdFor } from './incident-id.js';
import { extractTerms } from './normalise-text.js';
import { findIntendedTerm, isWithinOneEdit } from './term-match.js';

describe('extractTerms', () => {
  it('drops URLs, mentions, emoji, stop words and bare numbers, and stems', () => {
    expect(extractTerms('@VantelUK my bills are WRONG again 😡 https://t.co/abc 2026')).toEqual(['bill', 'wrong']);
  });
  it('splits CamelCase hashtags and keeps lowercase ones whole', () => {
    expect(extractTerms('#NoSignal #manchesteroutage')).toEqual(['signal', 'manchesteroutag']);
  });
  it('stems inflections to one term and keeps distinct words apart', () => {
    expect(extractTerms('billing billed bill')).toEqual(['bill']);
    expect(extractTerms("isn't working, can't load")).toEqual(['work', 'load']);
  });
  it('returns each term once, in order of first appearance', () => {
    expect(extractTerms('data down data DOWN manchester')).toEqual(['data', 'down', 'manchest']);
  });
});

describe('term matching', () => {
  it('accepts one edit or one adjacent swap and nothing more', () => {
    expect(isWithinOneEdit('manchest', 'manchset')).toBe(true);
    expect(isWithinOneEdit('signal', 'signl')).toBe(true);
    expect(isWithinOneEdit('signal', 'single')).toBe(false);
  });
  it('maps typos and glued hashtags onto signature terms only', () => {
    expect(findIntendedTerm('manchset', ['data', 'manchest'])).toBe('manchest');
    expect(findIntendedTerm('manchesteroutag', ['manchest'])).toBe('manchest');
    expect(findIntendedTerm('leed', ['manchest', 'data'])).toBeUndefined();
  });
});

describe('poissonSurprise', () => {
  it('is zero when nothing exceeds the expectation', () => {
    expect(poissonSurprise(2, 3)).toBe(0);
  });
  it('matches the Poisson tail: P(X >= 5 | 1) = 0.00366', () => {
    expect(poissonSurprise(5, 1)).toBeCloseTo(-Math.log10(0.0036599), 3);
  });
  it('grows with the excess', () => {
    expect(poissonSurprise(20, 1)).toBeGreaterThan(poissonSurprise(10, 1));
  });
});

describe('incidentIdFor', () => {
  it('is stable for an id and differs between ids', () => {
    expect(incidentIdFor('x-1')).toBe(incidentIdFor('x-1'));
    expect(incidentIdFor('x-1')).not.toBe(incidentIdFor('x-2'));
    expect(incidentIdFor('x-1')).toMatch(/^inc_[0-9a-f]{16}$/);
  });
});
