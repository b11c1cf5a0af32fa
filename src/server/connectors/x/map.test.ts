import { describe, expect, it } from 'vitest';
import { envelopeSchema } from '../../../shared/envelope.js';
import { mapXAccountActivity, mapXDirectMessage, mapXV2StreamLine, xOneToOneConversationId, xSnowflakeTime } from './map.js';

const line = {
  data: {
    id: '1800000000000000001',
    text: '@acme my order is late',
    author_id: '42',
    created_at: '2024-06-01T10:00:00.000Z',
    conversation_id: '1799999999999999999',
    edit_history_tweet_ids: ['1800000000000000001'],
    referenced_tweets: [{ type: 'replied_to', id: '1799999999999999999' }],
    in_reply_to_user_id: '777',
  },
  includes: {
    users: [
      { id: '777', name: 'Acme', username: 'acme' },
      { id: '42', name: 'Cust', username: 'cust', verified: true, public_metrics: { followers_count: 1234, following_count: 10 } },
    ],
    tweets: [{ id: '1799999999999999999', text: '…', author_id: '777' }],
  },
  matching_rules: [{ id: '1273026480692322304', tag: 'brand' }],
};

describe('mapXV2StreamLine', () => {
  it('maps a reply with its author from includes', () => {
    const envelope = mapXV2StreamLine(JSON.stringify(line), 'ch1', { ownUserIds: ['777'] });
    expect(envelope).not.toBeNull();
    expect(envelopeSchema.parse(envelope)).toMatchObject({
      channelId: 'ch1',
      externalId: '1800000000000000001',
      kind: 'reply',
      visibility: 'public',
      author: { platformId: '42', handle: 'cust', displayName: 'Cust', followers: 1234, verified: true },
      text: '@acme my order is late',
      inReplyTo: '1799999999999999999',
      threadKey: '1799999999999999999',
      url: 'https://x.com/cust/status/1800000000000000001',
      createdAt: '2024-06-01T10:00:00.000Z',
      listening: false,
    });
    expect(envelope?.raw).toEqual(line);
  });

  it('maps a root post as kind post found by listening', () => {
    const post = { data: { id: '1800000000000000005', text: 'acme is down again', author_id: '42' }, includes: line.includes, matching_rules: line.matching_rules };
    const envelope = mapXV2StreamLine(post, 'ch1', { ownUserIds: ['777'] });
    expect(envelope?.kind).toBe('post');
    expect(envelope?.inReplyTo).toBeNull();
    expect(envelope?.listening).toBe(true);
    expect(envelope?.createdAt).toBe(xSnowflakeTime('1800000000000000005'));
  });

  it('drops our own posts, keep-alives, error objects and garbage', () => {
    expect(mapXV2StreamLine({ ...line, data: { ...line.data, author_id: '777' } }, 'ch1', { ownUserIds: ['777'] })).toBeNull();
    expect(mapXV2StreamLine('', 'ch1')).toBeNull();
    expect(mapXV2StreamLine('{"errors":[{"title":"operational-disconnect"}]}', 'ch1')).toBeNull();
    expect(mapXV2StreamLine('{not json', 'ch1')).toBeNull();
    expect(mapXV2StreamLine(42, 'ch1')).toBeNull();
  });

  it('keys an edit on the original id and marks it edited', () => {
    const edited = { ...line, data: { ...line.data, id: '1800000000000000009', text: 'fixed typo', edit_history_tweet_ids: ['1800000000000000001', '1800000000000000009'], created_at: '2024-06-01T10:05:00.000Z' } };
    const envelope = mapXV2StreamLine(edited, 'ch1');
    expect(envelope?.externalId).toBe('1800000000000000001');
    expect(envelope?.editedAt).toBe('2024-06-01T10:05:00.000Z');
    expect(envelope?.url).toBe('https://x.com/cust/status/1800000000000000009');
  });

  it('falls back to id-derived time and an anonymous author when includes are absent', () => {
    const envelope = mapXV2StreamLine({ data: { id: '1800000000000000001', text: 'hi', author_id: '42' } }, 'ch1');
    expect(envelopeSchema.safeParse(envelope).success).toBe(true);
    expect(envelope?.author.handle).toBeNull();
    expect(envelope?.createdAt.startsWith('2024-')).toBe(true);
  });
});

describe('mapXDirectMessage', () => {
  it('maps a MessageCreate event and drops our own and non-message events', () => {
    const event = { id: '1146654567674912769', event_type: 'MessageCreate', text: 'hello', sender_id: '42', dm_conversation_id: '42-777', created_at: '2024-06-01T10:00:00.000Z' };
    const envelope = mapXDirectMessage(event, 'ch1', { ownUserIds: ['777'], includes: line.includes });
    expect(envelopeSchema.parse(envelope)).toMatchObject({ kind: 'dm', visibility: 'private', threadKey: '42-777', author: { handle: 'cust', followers: 1234 } });
    expect(mapXDirectMessage({ ...event, sender_id: '777' }, 'ch1', { ownUserIds: ['777'] })).toBeNull();
    expect(mapXDirectMessage({ ...event, event_type: 'ParticipantsJoin' }, 'ch1')).toBeNull();
  });
});

describe('mapXAccountActivity', () => {
  it('reads id_str, extended text, DMs, deletes and drops echoes', () => {
    // Numeric ids beyond 2^53 are written raw so JSON.parse corrupts them, as on the wire.
    const body = `{"for_user_id":"2244994945","tweet_create_events":[
      {"id":1800000000000000001,"id_str":"1800000000000000001","text":"@acme hi","truncated":true,"extended_tweet":{"full_text":"@acme hi, the full story"},
       "in_reply_to_status_id":1799999999999999999,"in_reply_to_status_id_str":"1799999999999999999","in_reply_to_user_id_str":"2244994945",
       "user":{"id_str":"42","screen_name":"cust","name":"Cust","followers_count":1234},"timestamp_ms":"1717236000000"},
      {"id_str":"1800000000000000002","text":"our reply","user":{"id_str":"2244994945","screen_name":"acme"},"timestamp_ms":"1717236000000"}],
     "direct_message_events":[
      {"type":"message_create","id":"1234858592","created_timestamp":"1392078023603","message_create":{"target":{"recipient_id":"2244994945"},"sender_id":"42","message_data":{"text":"Blue Bird"}}},
      {"type":"message_create","id":"1234858593","created_timestamp":"1392078023603","message_create":{"target":{"recipient_id":"42"},"sender_id":"2244994945","source_app_id":"268278","message_data":{"text":"echo"}}}],
     "users":{"42":{"id":"42","screen_name":"cust","name":"Cust","followers_count":1234}},
     "tweet_delete_events":[{"status":{"id":"1800000000000000003","user_id":"42"},"timestamp_ms":"1717236100000"}]}`;
    const result = mapXAccountActivity(Buffer.from(body), 'ch1', { ownAppId: '268278' });
    expect(result.forUserId).toBe('2244994945');
    expect(result.envelopes).toHaveLength(2);
    const [tweet, dm] = result.envelopes.map((e) => envelopeSchema.parse(e));
    expect(tweet).toMatchObject({ externalId: '1800000000000000001', kind: 'reply', inReplyTo: '1799999999999999999', text: '@acme hi, the full story', listening: false, createdAt: '2024-06-01T10:00:00.000Z' });
    expect(dm).toMatchObject({ externalId: '1234858592', kind: 'dm', threadKey: xOneToOneConversationId('42', '2244994945'), author: { handle: 'cust' } });
    expect(result.deletions).toEqual([{ channelId: 'ch1', externalId: '1800000000000000003' }]);
  });

  it('orders 1:1 conversation ids numerically', () => {
    expect(xOneToOneConversationId('2244994945', '42')).toBe('42-2244994945');
  });
});
