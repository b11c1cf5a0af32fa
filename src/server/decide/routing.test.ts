import { describe, expect, it } from 'vitest';
import { chooseAssignee, INITIAL_ROUTING_STATE, type RoutableConversation, type RoutingAgent, type RoutingState } from './routing.js';

const agent = (id: string, over: Partial<RoutingAgent> = {}): RoutingAgent => ({
  id,
  status: 'online',
  teams: ['care'],
  skills: { languages: ['en'], intents: ['*'], channels: ['*'] },
  capacity: 3,
  load: 0,
  ...over,
});

const convo: RoutableConversation = { id: 'c1', language: 'en', intent: 'billing', channel: 'x', band: 'normal', sla: 'ok', needsResponse: true };

function assign(c: RoutableConversation, agents: RoutingAgent[], state: RoutingState) {
  const d = chooseAssignee(c, agents, state);
  return { id: d.kind === 'agent' ? d.agentId : `queue:${d.queue}`, state: d.state };
}

describe('chooseAssignee', () => {
  it('requires language, intent and channel skills', () => {
    const agents = [
      agent('a', { skills: { languages: ['fr'], intents: ['*'], channels: ['*'] } }),
      agent('b', { skills: { languages: ['en', 'es'], intents: ['outage'], channels: ['*'] } }),
      agent('c', { skills: { languages: ['es'], intents: ['billing'], channels: ['email'] } }),
      agent('d', { skills: { languages: ['es'], intents: ['billing'], channels: ['x', 'email'] } }),
    ];
    expect(assign({ ...convo, language: 'es' }, agents, INITIAL_ROUTING_STATE).id).toBe('d');
    const none = chooseAssignee({ ...convo, language: 'de' }, agents, INITIAL_ROUTING_STATE);
    expect(none).toMatchObject({ kind: 'queue', queue: 'team' });
    if (none.kind === 'queue') {
      expect(none.teamId).toBeUndefined();
      expect(none.reason).toContain('no agent has the skills');
    }
  });

  it('picks the least-loaded agent and skips away, offline and full agents', () => {
    const agents = [agent('a', { load: 2 }), agent('b', { load: 1 }), agent('c', { status: 'away' }), agent('d', { status: 'offline' }), agent('e', { load: 3 })];
    expect(assign(convo, agents, INITIAL_ROUTING_STATE).id).toBe('b');
    expect(assign(convo, [agent('x', { load: 1, capacity: 2 }), agent('y', { load: 1, capacity: 4 })], INITIAL_ROUTING_STATE).id).toBe('y');
  });

  it('round-robins deterministically among equals', () => {
    const agents = [agent('a'), agent('b'), agent('c')];
    let state = INITIAL_ROUTING_STATE;
    const picks: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = assign(convo, agents, state);
      picks.push(r.id);
      state = r.state;
    }
    expect(picks).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    expect(INITIAL_ROUTING_STATE.seq).toBe(0);
  });

  it('overflows to the team queue when every skilled agent is full', () => {
    const d = chooseAssignee({ ...convo, teamId: 'billing' }, [agent('a', { load: 3, teams: ['billing'] }), agent('b', { teams: ['care'] })], INITIAL_ROUTING_STATE);
    expect(d).toMatchObject({ kind: 'queue', queue: 'team', teamId: 'billing', reason: 'every skilled agent is at capacity' });
  });

  it('escalates to a supervisor on SLA risk', () => {
    expect(chooseAssignee({ ...convo, sla: 'breached' }, [agent('a')], INITIAL_ROUTING_STATE)).toMatchObject({ queue: 'supervisor' });
    expect(chooseAssignee({ ...convo, sla: 'warning' }, [agent('a', { load: 3 })], INITIAL_ROUTING_STATE)).toMatchObject({ queue: 'supervisor' });
    expect(assign({ ...convo, sla: 'warning' }, [agent('a')], INITIAL_ROUTING_STATE).id).toBe('a');
  });

  it('sends promotion seekers and praise without a question to marketing, never to agents', () => {
    const agents = [agent('a')];
    expect(chooseAssignee({ ...convo, intent: 'promotion' }, agents, INITIAL_ROUTING_STATE)).toMatchObject({ queue: 'marketing' });
    expect(chooseAssignee({ ...convo, intent: 'praise', needsResponse: false }, agents, INITIAL_ROUTING_STATE)).toMatchObject({ queue: 'marketing' });
    expect(assign({ ...convo, intent: 'praise', needsResponse: true }, agents, INITIAL_ROUTING_STATE).id).toBe('a');
  });
});
