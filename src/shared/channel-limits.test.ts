import { describe, expect, it } from 'vitest';
import { CHANNEL_LIMITS, channelLimitKey, checkCaption, checkMedia } from './channel-limits.js';

const MB = 1024 * 1024;
const jpeg = (size: number) => ({ contentType: 'image/jpeg', size });

describe('checkMedia', () => {
  it('accepts no files on any channel, including ones without media', () => {
    expect(checkMedia('reddit', [])).toEqual([]);
    expect(checkMedia('x', [])).toEqual([]);
  });

  it('refuses media where the channel cannot carry it, and on unknown channels', () => {
    expect(checkMedia('reddit', [jpeg(10)]).map((p) => p.code)).toEqual(['no_media']);
    expect(checkMedia('sms', [jpeg(10)]).map((p) => p.code)).toEqual(['no_media']);
    expect(checkMedia('instagram', [jpeg(10)]).map((p) => p.code)).toEqual(['no_media']);
    expect(checkMedia('chat', [jpeg(10)]).map((p) => p.code)).toEqual(['no_media']);
  });

  it('counts files against maxCount', () => {
    expect(checkMedia('x', [jpeg(1), jpeg(1), jpeg(1), jpeg(1)])).toEqual([]);
    expect(checkMedia('x', [jpeg(1), jpeg(1), jpeg(1), jpeg(1), jpeg(1)]).map((p) => p.code)).toEqual(['too_many']);
    expect(checkMedia('whatsapp', [jpeg(1), jpeg(1)]).map((p) => p.code)).toEqual(['too_many']);
  });

  it('applies the per-file cap, with per-type overrides', () => {
    expect(checkMedia('x', [jpeg(5 * MB)])).toEqual([]);
    expect(checkMedia('x', [jpeg(5 * MB + 1)])).toEqual([expect.objectContaining({ code: 'too_large', index: 0 })]);
    expect(checkMedia('x', [{ contentType: 'video/mp4', size: 20 * MB }])).toEqual([]);
    expect(checkMedia('bluesky', [jpeg(1_000_000)])).toEqual([]);
    expect(checkMedia('bluesky', [jpeg(999_999), jpeg(1_000_001)])).toEqual([expect.objectContaining({ code: 'too_large', index: 1 })]);
    expect(checkMedia('whatsapp', [{ contentType: 'application/pdf', size: 90 * MB }])).toEqual([]);
    expect(checkMedia('whatsapp', [{ contentType: 'video/mp4', size: 17 * MB }]).map((p) => p.code)).toEqual(['too_large']);
  });

  it('refuses types the channel does not carry', () => {
    expect(checkMedia('x', [{ contentType: 'application/pdf', size: 10 }])).toEqual([expect.objectContaining({ code: 'type', index: 0 })]);
    expect(checkMedia('bluesky', [{ contentType: 'video/mp4', size: 10 }]).map((p) => p.code)).toEqual(['type']);
    expect(checkMedia('email', [{ contentType: 'application/pdf', size: 10 }])).toEqual([]);
  });

  it('keeps a video or GIF alone where the platform requires it', () => {
    expect(checkMedia('x', [{ contentType: 'video/mp4', size: 10 }, jpeg(10)]).map((p) => p.code)).toEqual(['not_alone']);
    expect(checkMedia('x', [{ contentType: 'image/gif', size: 10 }, jpeg(10)]).map((p) => p.code)).toEqual(['not_alone']);
    expect(checkMedia('mastodon', [{ contentType: 'image/gif', size: 10 }, jpeg(10)])).toEqual([]);
    expect(checkMedia('mastodon', [{ contentType: 'video/mp4', size: 10 }, jpeg(10)]).map((p) => p.code)).toEqual(['not_alone']);
  });

  it('caps the total on email', () => {
    expect(checkMedia('email', [jpeg(12 * MB), jpeg(12 * MB)])).toEqual([]);
    expect(checkMedia('email', [jpeg(13 * MB), jpeg(13 * MB)]).map((p) => p.code)).toEqual(['total_too_large']);
  });

  it('checks the text as a caption where the channel sends it so', () => {
    expect(checkCaption('whatsapp', 'a'.repeat(1024), 1)).toBeNull();
    expect(checkCaption('whatsapp', 'a'.repeat(1025), 1)).toMatch(/1024/);
    expect(checkCaption('whatsapp', 'a'.repeat(2000), 0)).toBeNull();
    expect(checkCaption('x', 'a'.repeat(2000), 1)).toBeNull();
  });

  it('names the limits key of private Meta replies', () => {
    expect(channelLimitKey('facebook', false)).toBe('messenger');
    expect(channelLimitKey('instagram', false)).toBe('instagram_dm');
    expect(channelLimitKey('facebook', true)).toBe('facebook');
    expect(channelLimitKey('x', false)).toBe('x');
    expect(CHANNEL_LIMITS.reddit?.media).toBeNull();
  });
});
