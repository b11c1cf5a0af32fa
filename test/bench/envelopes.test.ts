import { describe, expect, it } from 'vitest';
import { generateEnvelopes } from '../../bench/support/envelopes.js';
import { mapXV2StreamLine } from '../../src/server/connectors/x/map.js';

describe('the benchmarks\' envelopes', () => {
  it('carry the post as X\'s filtered stream delivers it, which the X connector maps back to the same envelope', () => {
    const envelopes = generateEnvelopes('ch_x', 400, { seed: 3 });
    expect(envelopes.some((e) => e.inReplyTo !== null)).toBe(true);
    for (const e of envelopes) {
      expect(e.raw).toBeDefined();
      const mapped = mapXV2StreamLine(JSON.parse(JSON.stringify(e.raw)), 'ch_x', { ownUserIds: ['999'] });
      expect(mapped).not.toBeNull();
      const { channelId, externalId, kind, author, text, inReplyTo, threadKey, createdAt } = mapped!;
      expect({ channelId, externalId, kind, author, text, inReplyTo, threadKey, createdAt }).toEqual({
        channelId: e.channelId, externalId: e.externalId, kind: e.kind, author: e.author, text: e.text, inReplyTo: e.inReplyTo, threadKey: e.threadKey, createdAt: e.createdAt,
      });
    }
  });

  it('are the same stream with or without the raw payload', () => {
    const withRaw = generateEnvelopes('ch_x', 300, { seed: 5, start: 0 });
    const without = generateEnvelopes('ch_x', 300, { seed: 5, start: 0, raw: false });
    expect(without.every((e) => e.raw === undefined)).toBe(true);
    expect(withRaw.map(({ raw: _raw, ...rest }) => rest)).toEqual(without);
  });
});
