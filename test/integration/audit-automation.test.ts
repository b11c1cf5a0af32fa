import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, isPostgresAvailable } from '../support/stores.js';
import { createChannel, createTestApp, createUser, envelope, parseEnvelopes, tokenFor, type TestApp } from '../support/test-app.js';

const pgAvailable = await isPostgresAvailable();

/** What automation does goes in the audit log like what people do: routing's and rules' assignments, rules' replies. */
describe.each(dialects)('audit of automated assignments and replies on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  let channelId: string;
  let token: string;
  let agentId: string;

  const http = (method: 'POST' | 'DELETE', url: string, payload?: unknown) =>
    app.http.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload: payload as Record<string, unknown> } : {}) });
  const ingestText = async (text: string) => {
    const e = envelope(channelId, { text });
    await app.services.ingest(parseEnvelopes([e]));
    await app.worker.drain();
    const [stored] = await app.repos.messages.findByExternalIds(channelId, [e.externalId]);
    return { messageId: stored!.id, conversationId: stored!.conversationId! };
  };
  const entriesFor = async (action: string, conversationId: string) => (await app.trust.audit.list({ limit: 200, action })).items.filter((e) => e.targetId === conversationId);

  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect);
    channelId = (await createChannel(app)).id;
    token = await tokenFor(app, (await createUser(app, 'admin')).id);
    agentId = (await createUser(app, 'agent', { status: 'online', skills: ['lang:en'] })).id;
  });
  afterAll(async () => app?.dispose());

  it.skipIf(skip)('records the router\'s assignment of a new conversation, once, and the chain verifies', async () => {
    const { conversationId } = await ingestText('@AcmeTelecom my internet has been down since this morning');
    const conversation = (await app.repos.conversations.get(conversationId))!;
    expect(conversation.assigneeId).toBe(agentId);
    const entries = await entriesFor('conversation.assign', conversationId);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorId: 'routing', actorRole: 'automation', data: { assigneeId: agentId, previousAssigneeId: null, by: 'routing' } });
    // A second message in the same conversation changes no assignment and adds no entry.
    await app.services.ingest(parseEnvelopes([envelope(channelId, { text: 'still down', threadKey: conversation.threadKey ?? undefined, inReplyTo: (await app.repos.messages.listByConversation(conversationId, 5))[0]!.externalId, kind: 'reply' })]));
    await app.worker.drain();
    expect(await entriesFor('conversation.assign', conversationId)).toHaveLength(1);
    expect((await app.trust.audit.verify()).ok).toBe(true);
  });

  it.skipIf(skip)('records a rule\'s assignment and its automated reply under the rule', async () => {
    const team = await http('POST', '/api/v1/teams', { name: 'Billing', kind: 'service' });
    expect(team.statusCode, team.body).toBe(201);
    const macro = await http('POST', '/api/v1/macros', { name: 'Billing ack', body: 'We are looking at your bill.', variants: {} });
    const rule = await http('POST', '/api/v1/rules', {
      name: 'Billing to team', trigger: 'message_created', enabled: true,
      conditions: { all: [{ field: 'message.text', op: 'contains', value: 'invoice' }] },
      actions: [{ type: 'assign', teamId: team.json().id }, { type: 'reply_with_macro', macroId: macro.json().id }],
    });
    expect(rule.statusCode, rule.body).toBe(201);
    const ruleId = rule.json<{ id: string }>().id;
    const { conversationId } = await ingestText('my invoice is wrong again');
    const [assigned] = await entriesFor('conversation.assign', conversationId);
    expect(assigned).toMatchObject({ actorId: `rule:${ruleId}`, actorRole: 'automation', data: { teamId: team.json().id, assigneeId: null, by: `rule:${ruleId}` } });
    const [replied] = await entriesFor('conversation.reply', conversationId);
    const out = (await app.repos.outbox.listForConversation(conversationId))[0]!;
    expect(replied).toMatchObject({ actorId: `rule:${ruleId}`, actorRole: 'automation', data: { outboxId: out.id, visibility: 'public', rule: 'Billing to team' } });
    expect((await app.trust.audit.verify()).ok).toBe(true);
    await http('DELETE', `/api/v1/rules/${ruleId}`);
  });
});
