import type { ParleyApp } from '../src/server/app.js';
import type { ListQuery } from '../src/server/services/conversations.service.js';
import { systemActor } from '../src/shared/permissions.js';
import { createBenchApp } from './support/bench-app.js';
import { percentile } from './support/envelopes.js';
import type { BenchContext, BenchModule } from './types.js';

const conversations = 200_000;
const messagesPerConversation = 5;

/** Topics a message is about: each word is in about one message in `topics.length`, so searches span rare to common. */
const topics = [
  'router keeps rebooting overnight', 'refund for the double charge', 'fibre installation appointment missed', 'roaming charges abroad',
  'sim card not activated', 'contract cancellation fee', 'speed far below the advertised plan', 'engineer never arrived',
  'voicemail stopped working', 'porting my number from another provider', 'invoice shows the wrong address', 'password reset email never came',
  'tv box freezes on channel change', 'billing date moved without notice', 'upgrade to the unlimited plan', 'coverage dead zone at home',
  'modem lights blinking orange', 'payment declined twice', 'loyalty discount expired', 'parental controls not saving',
];

/** Fills the store directly (bulk inserts in large transactions): 200k conversations, 1M messages. */
/** Exported for the browser benchmark, which needs the same 200k-conversation store. */
export const seedLargeStore = async (app: ParleyApp, channelIds: string[], agentIds: string[], teamIds: string[], log: (m: string) => void): Promise<void> => {
  const db = app.store.db;
  const statuses = ['open', 'open', 'open', 'pending', 'resolved', 'closed'];
  const bands = ['low', 'normal', 'normal', 'high', 'urgent'];
  const sentiments = ['negative', 'neutral', 'positive'];
  const now = Date.now();
  const batch = 2_000;
  for (let start = 0; start < conversations; start += batch) {
    await db.transaction().execute(async (trx) => {
      const convRows = [];
      const msgRows = [];
      for (let i = start; i < Math.min(conversations, start + batch); i += 1) {
        const id = `c${String(i).padStart(8, '0')}`;
        const at = now - (conversations - i) * 1000;
        convRows.push({
          id,
          channel_id: channelIds[i % channelIds.length]!,
          customer_id: null,
          thread_key: id,
          status: statuses[i % statuses.length]!,
          visibility: 'public',
          priority: (i * 7) % 100,
          priority_band: bands[i % bands.length]!,
          sentiment: sentiments[i % sentiments.length]!,
          assignee_id: i % 5 === 0 ? null : agentIds[i % agentIds.length]!,
          team_id: teamIds[i % teamIds.length]!,
          message_count: messagesPerConversation,
          last_message_at: at,
          last_message_preview: 'my broadband has been down since this morning',
          created_at: at - 60_000,
          updated_at: at,
        });
        for (let m = 0; m < messagesPerConversation; m += 1) {
          msgRows.push({
            id: `${id}m${m}`,
            channel_id: channelIds[i % channelIds.length]!,
            external_id: `${i}-${m}`,
            conversation_id: id,
            direction: m % 2 === 0 ? 'in' : 'out',
            kind: 'reply',
            visibility: 'public',
            author_platform_id: `u${i}`,
            text: `message ${m} of conversation ${i}: my broadband has been down since this morning, ${topics[(i * 7 + m * 3) % topics.length]}, nobody answers`,
            created_at: at - (messagesPerConversation - m) * 1000,
            received_at: at,
            stage: 'decided',
          });
        }
      }
      for (let k = 0; k < convRows.length; k += 250) await trx.insertInto('conversations').values(convRows.slice(k, k + 250)).execute();
      for (let k = 0; k < msgRows.length; k += 250) await trx.insertInto('messages').values(msgRows.slice(k, k + 250)).execute();
    });
    if ((start / batch) % 20 === 0) log(`seeded ${start + batch} conversations`);
  }
};

export const measureConversationList = async (ctx: BenchContext, postgresUrl: string | null): Promise<{ p99: number; p50: number; search: { p99: number; p50: number } }> => {
  const { app, channelId, dispose } = await createBenchApp(ctx.tmpDir, postgresUrl);
  try {
    const actor = systemActor('bench');
    const channelIds = [channelId];
    for (let i = 0; i < 4; i += 1) channelIds.push((await app.services.channels.create({ platform: 'email', name: `Mail ${i}` }, actor)).id);
    const teamIds = [(await app.services.teams.create({ name: 'Care', kind: 'service' }, actor)).id, (await app.services.teams.create({ name: 'Billing', kind: 'service' }, actor)).id];
    const agentIds = (await app.repos.users.list()).map((u) => u.id);
    ctx.log('seeding 200,000 conversations and 1,000,000 messages…');
    await seedLargeStore(app, channelIds, agentIds, teamIds, ctx.log);
    const filters = [
      {},
      { status: 'open' },
      { assignee: agentIds[0]! },
      { assignee: 'none' },
      { teamId: teamIds[1]! },
      { channelId: channelIds[3]! },
      { priority: 'urgent' },
      { sentiment: 'negative' },
      { status: 'open', priority: 'high' },
      { status: 'open', assignee: agentIds[2]!, sentiment: 'negative' },
    ];
    const list = await measure(app, filters, 60);
    const search = await measure(app, searchCases(agentIds, channelIds), 20);
    return { ...list, search };
  } finally {
    await dispose();
  }
};

/**
 * First pages of full-text searches over the same store: a term in one conversation, terms in one message in
 * twenty, a word in every message, a phrase, an or, an exclusion, each alone and beside list filters.
 */
const searchCases = (agentIds: string[], channelIds: string[]): Omit<ListQuery, 'limit'>[] => [
  { q: '123457' },
  { q: 'refund' },
  { q: 'voicemail', status: 'open' },
  { q: 'broadband' },
  { q: 'broadband', assignee: agentIds[1]!, status: 'open' },
  { q: '"engineer never arrived"' },
  { q: 'roaming or porting', channelId: channelIds[2]! },
  { q: 'plan -unlimited' },
  { q: 'invoice address', priority: 'urgent' },
  { q: 'loyalty', sentiment: 'negative', status: 'pending' },
];

const measure = async (app: ParleyApp, cases: readonly Omit<ListQuery, 'limit'>[], rounds: number): Promise<{ p99: number; p50: number }> => {
  const actor = systemActor('bench');
  const timings: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    for (const f of cases) {
      const started = performance.now();
      const page = await app.services.conversations.list({ ...f, limit: 50 }, actor);
      timings.push(performance.now() - started);
      if (round === 0 && page.items.length === 0) throw new Error(`filter ${JSON.stringify(f)} found nothing`);
    }
  }
  return { p99: Math.round(percentile(timings, 99) * 100) / 100, p50: Math.round(percentile(timings, 50) * 100) / 100 };
};

export const bench: BenchModule = {
  name: 'conversation-list',
  keys: ['conversation_list_p99_ms', 'conversation_search_p99_ms'],
  async run(ctx) {
    const sqlite = await measureConversationList(ctx, null);
    ctx.log(`SQLite first page p50 ${sqlite.p50} ms, p99 ${sqlite.p99} ms; search p50 ${sqlite.search.p50} ms, p99 ${sqlite.search.p99} ms`);
    return { conversation_list_p99_ms: sqlite.p99, conversation_search_p99_ms: sqlite.search.p99 };
  },
};
