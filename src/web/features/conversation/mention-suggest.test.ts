import { describe, expect, it } from 'vitest';
import type { UserDto } from '../../api/types.js';
import { matchTeammates, mentionQueryAt } from './mention-suggest.js';

const user = (id: string, name: string, email: string, disabled = false): UserDto => ({ id, name, email, role: 'agent', status: 'online', capacity: 10, disabled, teamIds: [], skills: [] });

describe('mention autocomplete', () => {
  it('reads the @word just before the caret, not an e-mail address or a finished word', () => {
    expect(mentionQueryAt('please ask @gr', 14)).toEqual({ start: 11, query: 'gr' });
    expect(mentionQueryAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionQueryAt('write to lin@acme', 17)).toBeNull();
    expect(mentionQueryAt('@grace is here', 14)).toBeNull();
  });

  it('ranks handle prefixes first, then name prefixes, skipping yourself and disabled accounts', () => {
    const users = [user('1', 'Lin Ma', 'lin@acme.test'), user('2', 'Grace Hopper', 'grace@acme.test'), user('3', 'Ada Lin', 'ada@acme.test'), user('4', 'Linus Old', 'linus@acme.test', true), user('me', 'Lina Me', 'lina@acme.test')];
    expect(matchTeammates(users, 'lin', 'me').map((u) => u.id)).toEqual(['1', '3']);
    expect(matchTeammates(users, 'gr', 'me').map((u) => u.id)).toEqual(['2']);
  });
});
