import { describe, expect, it } from 'vitest';
import { findCues, findEscalations, findSpamCue, URGENT_CUE } from './cues.js';

describe('cues', () => {
  it('finds with one prefilter scan exactly what the separate patterns find', () => {
    const texts = [
      'my parcel is late again',
      'i will report you to the ombudsman and my lawyer',
      'the bbc will hear about this',
      'cancel my subscription today',
      'the charger caught fire',
      'free followers at bit.ly/abc',
      'earn $500 a day with crypto signals',
      'urgent: no power since noon',
      'business is down, fix it asap',
      'sub4sub anyone',
      '',
    ];
    for (const text of texts) {
      const { risks, cues } = findEscalations(text);
      expect(findCues(text)).toEqual({
        risks,
        escalationCues: cues,
        spamCue: findSpamCue(text),
        urgentCue: URGENT_CUE.exec(text)?.[0],
      });
    }
    expect(findCues('cancel my subscription today, i want a lawyer').risks).toEqual([
      'legal',
      'cancellation',
    ]);
    expect(findCues('hello there').spamCue).toBeUndefined();
  });
});
