import { describe, expect, it } from 'vitest';
import type { MessageDto } from '../../api/types.js';
import { repliesSince } from './conversation-query.js';

const message = (id: string, direction: 'in' | 'out', sentByUserId: string | null): MessageDto => ({
  id, channelId: 'ch', externalId: id, conversationId: 'c', customerId: null, direction, kind: 'reply', visibility: 'public',
  author: { platformId: 'p', handle: null, displayName: null, followers: 0, verified: false }, text: id, subject: null, url: null,
  createdAt: '2026-11-23T10:00:00Z', receivedAt: '2026-11-23T10:00:00Z', editedAt: null, deleted: false, stage: 'done', classification: null, modelVersion: null, sentByUserId, delivery: null,
});

describe('the collision guard', () => {
  it('flags outbound replies that arrived since composing began and were not sent by me', () => {
    const seen = new Set(['old-out']);
    const messages = [message('old-out', 'out', 'bo'), message('new-in', 'in', null), message('mine', 'out', 'me'), message('bo-new', 'out', 'bo'), message('auto', 'out', null)];
    expect(repliesSince(messages, seen, 'me').map((m) => m.id)).toEqual(['bo-new', 'auto']);
  });
});
