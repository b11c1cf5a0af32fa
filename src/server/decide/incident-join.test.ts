import { describe, expect, it } from 'vitest';
import { extractTerms } from '../correlate/incidents/normalise-text.js';
import { matchConfirmedIncident, type JoinableIncident } from './incident-join.js';

const MIN = 60_000;
const incident = (over: Partial<JoinableIncident> = {}): JoinableIncident => ({
  id: 'leeds',
  status: 'confirmed',
  terms: extractTerms('fibre broadband down in Leeds'),
  lastMemberAt: 100 * MIN,
  brandIds: new Set(['acme']),
  ...over,
});
const post = (text: string, over: Partial<{ intent: string | null; intentScore: number | null; createdAt: number; brandId: string | null }> = {}) => ({ intent: 'outage', text, createdAt: 110 * MIN, brandId: 'acme', ...over });

describe('matchConfirmedIncident', () => {
  it('lets an outage post of the same brand sharing two of the terms join a confirmed incident, naming the terms', () => {
    expect(matchConfirmedIncident(post('no broadband in Leeds since lunch??'), [incident()])).toEqual({ incidentId: 'leeds', sharedTerms: expect.arrayContaining(['broadband', 'leed']) as string[] });
  });

  it('keeps out other intents, one shared term, another brand, a suspected or quiet incident', () => {
    const text = 'no broadband in Leeds since lunch??';
    expect(matchConfirmedIncident(post(text, { intent: 'billing' }), [incident()])).toBeNull();
    expect(matchConfirmedIncident(post(text, { intent: null }), [incident()])).toBeNull();
    expect(matchConfirmedIncident(post('is the network down?'), [incident()])).toBeNull();
    expect(matchConfirmedIncident(post(text, { brandId: 'other' }), [incident()])).toBeNull();
    expect(matchConfirmedIncident(post(text), [incident({ status: 'suspected' })])).toBeNull();
    expect(matchConfirmedIncident(post(text, { createdAt: 131 * MIN }), [incident()])).toBeNull();
  });

  it('keeps out a billing question sent during an outage, even when the intent model calls it an outage and it shares generic terms', () => {
    // The detector's explanation of a Manchester mobile-data outage, most telling term first.
    const manchester = incident({ id: 'manchester', terms: ['manchest', 'load', 'mobil', 'data', 'down'] });
    const billing = 'why was my mobile data charged twice this month? is the billing page down?';
    expect(matchConfirmedIncident(post(billing), [manchester])).toBeNull();
    expect(matchConfirmedIncident(post(billing, { intent: 'billing' }), [manchester])).toBeNull();
    // Generic outage words alone are not this incident; its place (or its lead symptom) with one more term is.
    expect(matchConfirmedIncident(post('mobile data down for anyone else?'), [manchester])).toBeNull();
    expect(matchConfirmedIncident(post(billing, { intentScore: 0.4 }), [manchester])).toBeNull();
    // ...unless the intent model is all but sure it reports an outage.
    expect(matchConfirmedIncident(post('mobile data down for anyone else?', { intentScore: 0.95 }), [manchester])?.incidentId).toBe('manchester');
    expect(matchConfirmedIncident(post('is the network down?', { intentScore: 0.99 }), [manchester])).toBeNull();
    expect(matchConfirmedIncident(post('no data in Manchester since lunch'), [manchester])).toEqual({ incidentId: 'manchester', sharedTerms: ['manchest', 'data'] });
    expect(matchConfirmedIncident(post('mobile data still not loading'), [manchester])?.incidentId).toBe('manchester');
  });

  it('picks the incident sharing the most terms, then the most recently active', () => {
    const bristol = incident({ id: 'bristol', terms: extractTerms('mobile data down in Bristol'), lastMemberAt: 109 * MIN });
    expect(matchConfirmedIncident(post('fibre broadband down in Leeds'), [bristol, incident()])?.incidentId).toBe('leeds');
    const leedsMobile = incident({ id: 'leeds-mobile', terms: extractTerms('mobile down in Leeds'), lastMemberAt: 105 * MIN });
    expect(matchConfirmedIncident(post('everything down in Leeds'), [incident(), leedsMobile])?.incidentId).toBe('leeds-mobile');
  });
});
