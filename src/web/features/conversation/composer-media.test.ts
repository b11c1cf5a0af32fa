import { describe, expect, it } from 'vitest';
import { captionLimit, describeMedia, formatSize, isCaptionTooLong, mediaProblems } from './composer-media.js';

const png = (name: string, size = 20_000) => ({ name, contentType: 'image/png', size });

describe('composer media limits', () => {
  it('says what a channel accepts, or that it takes no attachments', () => {
    expect(describeMedia('x')).toBe('A reply on X can carry up to 4 files: JPEG, PNG, GIF, WebP or MP4 video, up to 5 MB each (GIF up to 15 MB, MP4 video up to 512 MB); send GIF or MP4 video files on their own.');
    expect(describeMedia('bluesky')).toBe('A reply on Bluesky can carry up to 4 files: JPEG, PNG, GIF or WebP, up to 1 MB each.');
    expect(describeMedia('whatsapp')).toBe('A reply on WhatsApp can carry one file: JPEG, PNG, MP4 video or PDF, up to 5 MB each (MP4 video up to 16 MB, PDF up to 100 MB); with a file, the text is its caption (at most 1024 characters).');
    // Facebook takes photos, but Parley's adapter sends text only: the composer must not offer what the reply route refuses.
    expect(describeMedia('facebook')).toBe('Parley sends replies on Facebook as text only, so they cannot carry attachments yet.');
    expect(describeMedia('sms')).toBe('Replies on SMS cannot carry attachments.');
    expect(describeMedia(null)).toBe('Replies on this channel cannot carry attachments.');
  });

  it('accepts files that fit and names the file and the limit it breaks', () => {
    expect(mediaProblems('x', [png('a.png'), png('b.png')])).toEqual([]);
    expect(mediaProblems('x', [1, 2, 3, 4, 5].map((n) => png(`${n}.png`)))).toEqual(['5 files is too many: X takes at most 4 files per reply.']);
    expect(mediaProblems('x', [{ name: 'terms.pdf', contentType: 'application/pdf', size: 9000 }])).toEqual(['terms.pdf: X does not take PDF.']);
    expect(mediaProblems('bluesky', [png('big.png', 1_500_000)])).toEqual(['big.png is 1.4 MB: Bluesky takes PNG up to 1 MB.']);
    expect(mediaProblems('x', [png('a.png'), { name: 'clip.mp4', contentType: 'video/mp4', size: 100_000 }])).toEqual(['clip.mp4: X takes MP4 video only as the one file of a reply.']);
    expect(mediaProblems('whatsapp', [png('a.png'), png('b.png')])).toEqual(['2 files is too many: WhatsApp takes one file per reply.']);
    expect(mediaProblems('messenger', [png('a.png')])).toEqual(['Parley sends replies on Messenger as text only, so they cannot carry attachments yet.']);
    expect(mediaProblems('instagram', [png('a.png')])).toEqual(['Replies on Instagram cannot carry attachments.']);
    expect(mediaProblems(null, [png('a.png')])).toEqual(['This conversation has no channel to send files to.']);
    expect(mediaProblems('sms', [])).toEqual([]);
  });

  it('caps the text at the caption length where files travel with it as their caption', () => {
    expect(captionLimit('whatsapp', 1)).toBe(1024);
    expect(captionLimit('whatsapp', 0)).toBeNull();
    expect(captionLimit('x', 1)).toBeNull();
    expect(isCaptionTooLong('whatsapp', 'a'.repeat(1025), 1)).toBe(true);
    expect(isCaptionTooLong('whatsapp', 'a'.repeat(1024), 1)).toBe(false);
    expect(isCaptionTooLong('whatsapp', 'a'.repeat(1025), 0)).toBe(false);
  });

  it('formats sizes in binary units, as the platforms state their caps', () => {
    expect(formatSize(812)).toBe('812 bytes');
    expect(formatSize(20_480)).toBe('20 kB');
    expect(formatSize(5 * 1024 * 1024)).toBe('5 MB');
    expect(formatSize(1_000_000)).toBe('1 MB');
  });
});
