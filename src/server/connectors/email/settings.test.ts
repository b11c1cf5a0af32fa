import { describe, expect, it } from 'vitest';
import { createChannelAdapter } from '../registry.js';
import type { AdapterFactory } from '../port.js';

type Channel = Parameters<AdapterFactory>[0];
const channel = (platform: Channel['platform'], config: Record<string, unknown>, credentials: Record<string, unknown>): Channel => ({ id: `ch-${platform}`, platform, config, credentials, ownAccountIds: [] });

function failure(input: Channel): string {
  try {
    createChannelAdapter(input);
  } catch (error) {
    return String(error);
  }
  return 'no error';
}

// Lives with the email adapter for ownership reasons; it checks all five adapters this folder's author wrote.
describe('reddit, mastodon, bluesky, rss and email factories', () => {
  it('build from valid settings through the registry', () => {
    const valid: Channel[] = [
      channel('reddit', { subreddits: ['acme'] }, { clientId: 'id', clientSecret: 's', refreshToken: 'r' }),
      channel('mastodon', { baseUrl: 'https://m.test' }, { accessToken: 't' }),
      channel('bluesky', { brandHandle: 'acme.test' }, { identifier: 'acme.test', appPassword: 'p' }),
      channel('rss', { feeds: ['https://blog.test/feed'] }, {}),
      channel('email', { address: 'support@acme.test', imap: { host: 'imap.acme.test' }, smtp: { host: 'smtp.acme.test' } }, { user: 'support@acme.test', password: 'p' }),
    ];
    for (const c of valid) expect(createChannelAdapter(c).platform).toBe(c.platform);
  });

  it('reject bad settings naming the keys, never the secret values', () => {
    expect(failure(channel('reddit', {}, { clientId: 'id', clientSecret: 'top-secret-1' }))).toMatch(/refreshToken/);
    expect(failure(channel('mastodon', { baseUrl: 'not a url' }, { accessToken: 'top-secret-2' }))).toMatch(/baseUrl/);
    expect(failure(channel('bluesky', {}, { identifier: 'acme.test' }))).toMatch(/appPassword/);
    expect(failure(channel('rss', { feeds: [] }, {}))).toMatch(/feeds/);
    const email = failure(channel('email', { address: 'nope', imap: {} }, { password: 'top-secret-3' }));
    expect(email).toMatch(/address/);
    expect(email).toMatch(/imap\.host/);
    for (const message of [failure(channel('reddit', {}, { clientId: 'id', clientSecret: 'top-secret-1' })), email]) expect(message).not.toMatch(/top-secret/);
  });
});
