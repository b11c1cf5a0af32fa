import { describe, expect, it } from 'vitest';
import { adapterFactories, createChannelAdapter } from './registry.js';

describe('adapterFactories', () => {
  it('builds each registered adapter for its own platform and rejects bad config by key, never echoing secrets', () => {
    const configs: Record<string, Record<string, unknown>> = {
      x: {},
      facebook: { pageId: '1' },
      instagram: { igUserId: '2' },
      whatsapp: { phoneNumberId: '3' },
    };
    for (const [platform, config] of Object.entries(configs)) {
      const adapter = createChannelAdapter({ id: `ch-${platform}`, platform: platform as 'x', config, credentials: { accessToken: 'secret-token-value' }, ownAccountIds: [] });
      expect(adapter.platform).toBe(platform);
      expect(adapter.channelId).toBe(`ch-${platform}`);
    }
    expect(Object.keys(adapterFactories)).toEqual(expect.arrayContaining(Object.keys(configs)));
    let message = '';
    try {
      createChannelAdapter({ id: 'c', platform: 'facebook', config: {}, credentials: { accessToken: 42, appSecret: 'super-secret' }, ownAccountIds: [] });
    } catch (error) {
      message = String(error);
    }
    expect(message).toMatch(/pageId/);
    expect(message).not.toContain('super-secret');
    expect(() => createChannelAdapter({ id: 'c', platform: 'import', config: {}, credentials: {}, ownAccountIds: [] })).toThrow(/no channel adapter/);
  });
});
