import { describe, expect, it } from 'vitest';
import { foldConfusables } from './confusables.js';
import { editDistance } from './edit-distance.js';

describe('foldConfusables', () => {
  it('folds digits, Cyrillic, Greek, accents, fullwidth and letter pairs to one skeleton', () => {
    const skeleton = foldConfusables('acme_support');
    for (const lookAlike of ['acrne_support', 'аcmе_suppоrt', 'ACME.SUPP0RT', 'ácme-support', 'ａｃｍｅsupport', 'αcme_support']) {
      expect(foldConfusables(lookAlike)).toBe(skeleton);
    }
    expect(foldConfusables('paypal')).toBe(foldConfusables('paypa1'));
    expect(foldConfusables('PayPaI')).toBe(foldConfusables('paypal'));
    expect(foldConfusables('wells')).toBe(foldConfusables('vvells'));
  });

  it('keeps different names apart', () => {
    expect(foldConfusables('acme')).not.toBe(foldConfusables('acne'));
    expect(foldConfusables('globex')).not.toBe(foldConfusables('global'));
  });
});

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and transpositions', () => {
    expect(editDistance('acme', 'acme')).toBe(0);
    expect(editDistance('acme', 'acmee')).toBe(1);
    expect(editDistance('acme', 'amce')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
