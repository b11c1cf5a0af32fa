import { describe, expect, it } from 'vitest';
import { previewOf } from './preview.js';

/** What the preview has always been: cut, then every run of whitespace one space. */
const collapsedEverywhere = (text: string): string => (text.length > 160 ? `${text.slice(0, 157)}…` : text).replace(/\s+/g, ' ');

describe('previewOf', () => {
  it('equals cutting and collapsing every whitespace run, for texts of single spaces and of any other whitespace', () => {
    const pieces = ['word', 'naïve', '😡', ' ', ' ', '  ', '\n', '\r\n', '\t', '\u00a0', '\u2028', '\u3000', 'x'];
    let state = 7;
    const rand = () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    const texts = ['', ' ', 'plain words only', ' leading', 'trailing ', 'a\nb', 'a\u00a0b', 'a  b', 'x'.repeat(160), 'x'.repeat(161), `${'x'.repeat(156)}\n\nyy`];
    for (let i = 0; i < 2000; i += 1) texts.push(Array.from({ length: Math.floor(rand() * 120) }, () => pieces[Math.floor(rand() * pieces.length)]!).join(''));
    for (const text of texts) expect(previewOf(text)).toBe(collapsedEverywhere(text));
  });

  it('returns a text of single spaces as it is', () => {
    const text = '@AcmeTelecom my broadband has been down since 7am please help';
    expect(previewOf(text)).toBe(text);
    expect(previewOf('two  spaces')).toBe('two spaces');
    expect(previewOf('line\nbreak')).toBe('line break');
  });
});
