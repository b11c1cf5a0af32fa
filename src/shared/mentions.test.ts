import { describe, expect, it } from 'vitest';
import { mentionHandleOf, mentionsIn } from './mentions.js';

describe('@mentions', () => {
  it('names a teammate by the local part of their e-mail address', () => {
    expect(mentionHandleOf('Grace.Hopper@Acme.test')).toBe('grace.hopper');
  });

  it('finds each handle once, ignoring e-mail addresses and a trailing full stop', () => {
    expect(mentionsIn('@grace please check, cc @Lin. Write to lin@acme.test, not @grace again')).toEqual(['grace', 'lin']);
    expect(mentionsIn('no mentions here, just mail@example.com')).toEqual([]);
  });
});
