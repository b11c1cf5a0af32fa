import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWebhookTarget, isPrivateAddress } from '../../src/server/pipeline/decide-webhooks.js';
import { createChannel, createTestApp, createUser, envelope, parseEnvelopes, tokenFor, type TestApp } from '../support/test-app.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';

const pgAvailable = await isPostgresAvailable();

describe.each(dialects)('automation rules on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  let channelId: string;
  let token: string;
  const http = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    app.http.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const createRule = async (body: Record<string, unknown>) => {
    const res = await http('POST', '/api/v1/rules', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };
  const ingestText = async (text: string, over: Parameters<typeof envelope>[1] = {}) => {
    const e = envelope(channelId, { text, ...over });
    await app.services.ingest(parseEnvelopes([e]));
    await app.worker.drain();
    const [stored] = await app.repos.messages.findByExternalIds(channelId, [e.externalId]);
    return { messageId: stored!.id, conversation: (await app.repos.conversations.get(stored!.conversationId!))! };
  };

  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect);
    channelId = (await createChannel(app)).id;
    token = await tokenFor(app, (await createUser(app, 'admin')).id);
  });
  afterAll(async () => app?.dispose());

  it.skipIf(skip)('fires on new messages: tags, sets priority and replies with a macro through the outbox, once', async () => {
    const macro = await http('POST', '/api/v1/macros', { name: 'Refund ack', body: 'Hi {{customer.name}}, refunds take 3-5 days.', variants: {} });
    const ruleId = await createRule({
      name: 'Refunds', trigger: 'message_created',
      conditions: { all: [{ field: 'message.text', op: 'contains', value: 'refund' }] },
      actions: [{ type: 'tag', tags: ['refund'] }, { type: 'set_priority', band: 'urgent' }, { type: 'reply_with_macro', macroId: macro.json().id }],
    });
    const { messageId, conversation } = await ingestText('I want a refund for last month', { author: { platformId: 'rf1', handle: 'rita', displayName: 'Rita', followers: 5, verified: false } });
    expect(conversation.tags).toContain('refund');
    expect(conversation.priorityBand).toBe('urgent');
    expect(conversation.priorityParts.some((p) => p.name === 'rule')).toBe(true);
    const outbox = await app.repos.outbox.findByKey(`rule:${ruleId}:${messageId}`);
    // Public replies carry their proof-of-origin link (the workspace default).
    expect(outbox?.payload.text).toMatch(/^Hi Rita, refunds take 3-5 days\.\n\nVerify this reply: \S+\/p\/verify\?code=[0-9A-Z]{8}$/);
    const sent = await app.services.conversations.get(conversation.id);
    expect(sent.messages.filter((m) => m.direction === 'out')).toHaveLength(1);
    // The inbox row shows the reply as the conversation's last message.
    expect([conversation.messageCount, conversation.lastMessageDirection]).toEqual([2, 'out']);
    // An automated acknowledgement does not meet the first-response SLA.
    expect((await app.services.sla.clocksOf(conversation.id))[0]!.metAt).toBeNull();
    const unrelated = await ingestText('my router blinks red');
    expect(unrelated.conversation.tags).not.toContain('refund');
    await http('DELETE', `/api/v1/rules/${ruleId}`);
  });

  it.skipIf(skip)('a reply rule answering a conversation that already exists leaves its list row as the reply left it', async () => {
    const macro = await http('POST', '/api/v1/macros', { name: 'Outage ack', body: 'We are on it.', variants: {} });
    const ruleId = await createRule({
      name: 'Outage ack', trigger: 'message_created',
      conditions: { all: [{ field: 'message.text', op: 'contains', value: 'still down' }] },
      actions: [{ type: 'reply_with_macro', macroId: macro.json().id }],
    });
    const author = { platformId: 'sd1', handle: 'sam', displayName: 'Sam', followers: 5, verified: false };
    const first = await ingestText('internet still down in Leeds', { threadKey: 'still-down', author });
    const again = await ingestText('it is still down, any news?', { threadKey: 'still-down', author });
    expect(again.conversation.id).toBe(first.conversation.id);
    // Two messages and two replies, the last one ours: nothing unread.
    expect([again.conversation.messageCount, again.conversation.lastMessageDirection, again.conversation.unreadCount]).toEqual([4, 'out', 0]);
    await http('DELETE', `/api/v1/rules/${ruleId}`);
  });

  it.skipIf(skip)('sends a signed single-use private hand-off link that opens the secure page', async () => {
    const ruleId = await createRule({
      name: 'Go private', trigger: 'message_created',
      conditions: { all: [{ field: 'message.text', op: 'contains', value: 'my account number' }] },
      actions: [{ type: 'send_private_link' }],
    });
    const { messageId } = await ingestText('Can I give you my account number here?');
    const outbox = await app.repos.outbox.findByKey(`rule:${ruleId}:${messageId}`);
    const url = /https?:\/\/\S+\/p\/private\/(\S+)/.exec(String(outbox?.payload.text));
    expect(url, String(outbox?.payload.text)).not.toBeNull();
    const page = await app.http.inject({ method: 'GET', url: `/p/private/${url![1]}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Continue in private');
    await http('DELETE', `/api/v1/rules/${ruleId}`);
  });

  it.skipIf(skip)('does not loop: rules reacting to each other\'s updates fire once per chain', async () => {
    const ids = [
      await createRule({ name: 'Start', trigger: 'message_created', conditions: { all: [{ field: 'message.text', op: 'contains', value: 'pingpong' }] }, actions: [{ type: 'tag', tags: ['start'] }] }),
      await createRule({ name: 'Ping', trigger: 'conversation_updated', conditions: { all: [{ field: 'conversation.tags', op: 'contains', value: 'start' }] }, actions: [{ type: 'tag', tags: ['ping'] }] }),
      await createRule({ name: 'Pong', trigger: 'conversation_updated', conditions: { all: [{ field: 'conversation.tags', op: 'contains', value: 'ping' }] }, actions: [{ type: 'tag', tags: ['pong'] }, { type: 'escalate', reason: 'test' }] }),
    ];
    const { conversation } = await ingestText('pingpong please');
    expect(conversation.tags).toEqual(expect.arrayContaining(['start', 'ping', 'pong', 'escalated']));
    expect(conversation.queue).toBe('supervisor');
    const runs = await app.services.rules.runs({ conversationId: conversation.id }, 50);
    expect(runs.map((r) => r.ruleId).sort()).toEqual([...ids].sort());
    const pong = runs.find((r) => r.ruleId === ids[2])!;
    expect(pong.causation).toEqual({ ruleIds: [ids[0], ids[1], ids[2]], depth: 3 });
    for (const id of ids) await http('DELETE', `/api/v1/rules/${id}`);
  });

  it.skipIf(skip)('dry-runs a disabled rule over the last N messages without changing anything, and audits rule changes', async () => {
    await ingestText('outage again?? #down');
    const id = await createRule({ name: 'Draft outage', enabled: false, trigger: 'message_created', conditions: { all: [{ field: 'message.text', op: 'contains', value: '#down' }] }, actions: [{ type: 'close_spam' }] });
    const res = await http('POST', `/api/v1/rules/${id}/dry-run`, { limit: 3 });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.examined).toBe(3);
    expect(body.matched).toBe(1);
    expect(body.results[0]).toMatchObject({ matched: true, actions: [{ type: 'close_spam' }] });
    expect(await app.services.rules.runs({ ruleId: id }, 10)).toEqual([]);
    const updated = await http('PUT', `/api/v1/rules/${id}`, { name: 'Draft outage v2', enabled: false, trigger: 'message_created', actions: [{ type: 'tag', tags: ['x'] }] });
    expect(updated.json().name).toBe('Draft outage v2');
    const audit = await app.repos.audit.page(0, 500);
    expect(audit.filter((e) => e.targetId === id).map((e) => e.action)).toEqual(['rule.create', 'rule.update']);
    const bad = await http('POST', '/api/v1/rules', { name: 'bad', trigger: 'message_created', conditions: { all: [{ field: 'message.text', op: 'regex', value: '(a+)+' }] }, actions: [{ type: 'close_spam' }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('conditions.all[0].value');
  });

  it.skipIf(skip)('refuses webhook targets on private or loopback addresses', async () => {
    const id = await createRule({ name: 'Hook', trigger: 'message_created', conditions: { all: [{ field: 'message.text', op: 'contains', value: 'hooktest' }] }, actions: [{ type: 'notify_webhook', url: 'http://127.0.0.1:9/hook' }] });
    const { conversation } = await ingestText('hooktest');
    const [run] = await app.services.rules.runs({ conversationId: conversation.id }, 5);
    expect(run?.ruleId).toBe(id);
    expect(run?.actions[0]).toMatchObject({ type: 'notify_webhook', ok: false });
    expect(await checkWebhookTarget('http://hooks.example.com/x', { allowPrivate: false, resolve: async () => ['10.1.2.3'] })).toMatch(/private address 10\.1\.2\.3/);
    expect(await checkWebhookTarget('https://hooks.example.com/x', { allowPrivate: false, resolve: async () => ['93.184.216.34'] })).toBeNull();
    expect(await checkWebhookTarget('http://[::1]/x', { allowPrivate: false })).not.toBeNull();
    expect(await checkWebhookTarget('http://localhost:8080/x', { allowPrivate: true })).toBeNull();
    expect(['169.254.169.254', '::ffff:127.0.0.1', 'fd00::1', '192.168.1.1'].every(isPrivateAddress)).toBe(true);
    expect(isPrivateAddress('8.8.8.8')).toBe(false);
    await http('DELETE', `/api/v1/rules/${id}`);
  });
});
