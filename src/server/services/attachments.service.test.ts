import { describe, expect, it } from 'vitest';
import { sanitizeFilename } from './attachments.service.js';

describe('sanitizeFilename', () => {
  it('keeps the last path segment and drops control and reserved characters', () => {
    expect(sanitizeFilename('../../etc/passwd', 'application/pdf')).toBe('passwd.pdf');
    expect(sanitizeFilename('C:\\Users\\me\\"quote"; x.pdf', 'application/pdf')).toBe('_quote__ x.pdf');
    expect(sanitizeFilename('a\u0000b\u202Ec.png', 'image/png')).toBe('abc.png');
  });

  it('ends in the extension of the type the bytes have', () => {
    expect(sanitizeFilename('photo', 'image/jpeg')).toBe('photo.jpg');
    expect(sanitizeFilename('photo.JPEG', 'image/jpeg')).toBe('photo.jpeg');
    expect(sanitizeFilename('report.final', 'application/pdf')).toBe('report.final.pdf');
    expect(sanitizeFilename('clip.png', 'video/mp4')).toBe('clip.mp4');
  });

  it('never leaves an empty, hidden or overlong name', () => {
    expect(sanitizeFilename('', 'image/png')).toBe('attachment.png');
    expect(sanitizeFilename('.htaccess', 'image/png')).toBe('htaccess.png');
    expect(sanitizeFilename('...', 'image/gif')).toBe('attachment.gif');
    const long = sanitizeFilename(`${'é'.repeat(300)}.pdf`, 'application/pdf');
    expect([...long].length).toBe(120);
    expect(long.endsWith('.pdf')).toBe(true);
  });
});
