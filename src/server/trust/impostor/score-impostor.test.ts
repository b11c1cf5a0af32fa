import { describe, expect, it } from 'vitest';
import { scoreImpostor } from './score-impostor.js';
import type { ImpostorCandidate } from './score-impostor.js';

const acme = { handles: ['acme', 'AcmeSupport'], brandWords: ['acme'], displayNames: ['Acme', 'Acme Support'] };
const nimbus = { handles: ['nimbusair'], brandWords: ['nimbus'], displayNames: ['Nimbus Air'] };
const now = new Date('2026-11-23T12:00:00Z');
const daysAgo = (n: number): Date => new Date(now.getTime() - n * 86_400_000);
const verdict = (c: Partial<ImpostorCandidate> & { handle: string }, official = acme) =>
  scoreImpostor({ displayName: '', ...c }, official, now);

describe('scoreImpostor', () => {
  it('never flags an official handle, whatever else it looks like', () => {
    for (const handle of ['acme', '@Acme', 'acmesupport', '@ACMESUPPORT']) {
      expect(verdict({ handle, displayName: 'Acme Support', followers: 0, accountCreatedAt: daysAgo(1) })).toEqual({
        isImpostor: false,
        score: 0,
        evidence: ['official handle'],
      });
    }
  });

  it('flags homoglyph look-alikes of official handles', () => {
    for (const handle of ['acrnesupport', 'acme_supp0rt', 'аcmesupport', 'ACMESUPP0RT']) {
      const v = verdict({ handle, displayName: 'Acme Support' });
      expect(v.isImpostor).toBe(true);
      expect(v.evidence[0]).toContain('looks identical to @AcmeSupport');
    }
  });

  it('flags near-miss spellings of long official handles', () => {
    const v = verdict({ handle: 'nimbusaair', displayName: 'Nimbus Air' }, nimbus);
    expect(v.isImpostor).toBe(true);
    expect(v.evidence.join(' ')).toContain('1 edit(s) from @nimbusair');
  });

  it('flags brand words joined with support words', () => {
    for (const handle of ['acme_care_team', 'acmehelp', 'realacme', 'acme_helpdesk247', 'the.acme']) {
      expect(verdict({ handle, displayName: 'Jo' }).isImpostor, handle).toBe(true);
    }
    expect(verdict({ handle: 'nimbux_help', displayName: 'Help' }, nimbus).isImpostor).toBe(true);
  });

  it('flags a support title next to the brand in the display name when the handle also leans on it', () => {
    expect(verdict({ handle: 'acme_uk_0', displayName: 'ACME Customer Care' }).isImpostor).toBe(true);
    expect(verdict({ handle: 'amce', displayName: 'Sofia from Acme' }).isImpostor).toBe(true);
  });

  it('does not flag ordinary people whose names contain common or brand-like words', () => {
    for (const [handle, displayName] of [
      ['helpful_hannah', 'Hannah Lee'],
      ['realjohnsmith', 'John Smith'],
      ['carefree_sam', 'Sam | customer care nurse'],
      ['team_jones', 'Team Captain Jones'],
      ['nimbleanna', 'Anna'],
      ['verdant_gardens', 'Verdant Team Captain'],
      ['acme_fan_99', 'Jo loves Acme'],
    ]) {
      const v = verdict({ handle: handle ?? '', displayName: displayName ?? '', followers: 3, accountCreatedAt: daysAgo(2) });
      expect(v.isImpostor, handle).toBe(false);
    }
  });

  it('uses account age, followers and bio only as supporting evidence', () => {
    const base = { handle: 'acme_uk_0', displayName: 'Acme fan' };
    const old = verdict({ ...base, followers: 5000, accountCreatedAt: daysAgo(900) });
    const fresh = verdict({ ...base, followers: 2, accountCreatedAt: daysAgo(1), bio: 'Official Acme support, DM us' });
    expect(old.isImpostor).toBe(false);
    expect(fresh.isImpostor).toBe(false);
    const titled = { handle: 'acme_uk_0', displayName: 'Acme Help' };
    const a = verdict({ ...titled, followers: 5000, accountCreatedAt: daysAgo(900) });
    const b = verdict({ ...titled, followers: 2, accountCreatedAt: daysAgo(1), bio: 'Official Acme support, DM us' });
    expect(b.score).toBeGreaterThan(a.score);
    expect(b.evidence).toEqual(expect.arrayContaining(['account is 1 day(s) old', 'only 2 followers', 'bio presents the account as brand support']));
  });

  it('weakens the case for platform-verified accounts', () => {
    const plain = verdict({ handle: 'acmehelp', displayName: 'Jo' });
    const verified = verdict({ handle: 'acmehelp', displayName: 'Jo', verified: true });
    expect(verified.score).toBeLessThan(plain.score);
  });
});
