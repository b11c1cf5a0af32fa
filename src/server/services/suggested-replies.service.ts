import type { Kysely } from 'kysely';
import { checkReply } from '../../shared/pii/check-reply.js';
import type { DB } from '../db/schema.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import type { Repositories } from '../repositories/index.js';

export type SuggestedReply =
  | { kind: 'macro'; macroId: string; name: string; score: number; why: string }
  | { kind: 'reply'; text: string; uses: number; score: number; why: string };

const STOP = new Set('the and for you your our are was were this that with have has had not but can cant could would will just from they them their there what when where which who why how all any been into its it’s it\'s out get got about again still very too than then also some more most much many only over such one two off please thanks thank hey dear acme'.split(' '));

/** Content words of a text: lower case, three letters or more, no stop words, variables left out. */
export const contentWords = (text: string): Set<string> =>
  new Set(
    text
      .replace(/\{\{[^}]*\}\}/g, ' ')
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w.length >= 3 && !STOP.has(w))
      .map((w) => (w.length > 4 && w.endsWith('s') ? w.slice(0, -1) : w)),
  );

const overlap = (a: Set<string>, b: Set<string>): { score: number; shared: string[] } => {
  if (a.size === 0 || b.size === 0) return { score: 0, shared: [] };
  const shared = [...a].filter((w) => b.has(w));
  return { score: shared.length / Math.sqrt(a.size * b.size), shared };
};

const PAST_DAYS = 30;

/**
 * Suggested replies for the composer: the team's macros ranked by how well they fit the customer's last message
 * (shared content words, and the message's intent named in the macro), and what agents most often wrote to
 * messages of the same intent lately. Past replies that carry personal data are never suggested.
 */
export const createSuggestedRepliesService = (deps: { repos: Repositories; db: Kysely<DB>; clock: Clock }) => {
  const { repos, db, clock } = deps;
  return {
    async forConversation(conversationId: string, limit = 5): Promise<{ basedOn: { messageId: string; intent: string | null } | null; items: SuggestedReply[] }> {
      const conversation = await repos.conversations.get(conversationId);
      if (!conversation) throw new AppError('conversation_not_found', `no conversation ${conversationId}`, 'id');
      // Only the customer's latest message matters: one indexed row, not the whole timeline.
      const last = await db
        .selectFrom('messages')
        .select(['id', 'text', 'intent'])
        .where('conversation_id', '=', conversationId)
        .where('direction', '=', 'in')
        .where('deleted_at', 'is', null)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (!last) return { basedOn: null, items: [] };
      const intent: string | null = last.intent ?? conversation.intent;
      const words = contentWords(last.text);
      const intentWords: string[] = intent ? intent.split(/[_\s/-]+/).filter((w: string) => w.length >= 3) : [];

      const macros: SuggestedReply[] = [];
      for (const m of await repos.macros.list()) {
        const macroWords = contentWords(`${m.name} ${m.body}`);
        const { score, shared } = overlap(words, macroWords);
        const namesIntent = intentWords.some((w) => macroWords.has(w));
        const total = score + (namesIntent ? 0.35 : 0);
        if (total <= 0.05) continue;
        const why = [namesIntent ? `about ${intent}` : null, shared.length ? `shares “${shared.slice(0, 4).join('”, “')}”` : null].filter(Boolean).join('; ');
        macros.push({ kind: 'macro', macroId: m.id, name: m.name, score: Math.round(total * 1000) / 1000, why });
      }

      const replies: SuggestedReply[] = [];
      if (intent) {
        // Agents' own public and private replies (not rules') in conversations about the same intent, lately.
        const rows = await db
          .selectFrom('messages as out')
          .innerJoin('conversations as c', 'c.id', 'out.conversation_id')
          .select(['out.text', 'out.visibility'])
          .where('c.intent', '=', intent)
          .where('out.direction', '=', 'out')
          .where('out.sent_by_user_id', 'is not', null)
          .where('out.sent_by_user_id', 'not like', 'rule:%')
          .where('out.deleted_at', 'is', null)
          .where('out.created_at', '>=', clock.now() - PAST_DAYS * 86_400_000)
          .where('out.conversation_id', '!=', conversationId)
          .orderBy('out.created_at', 'desc')
          .limit(500)
          .execute();
        const counts = new Map<string, { text: string; uses: number }>();
        for (const r of rows) {
          // The proof-of-origin line differs per reply; the reply itself is what was reused.
          const text = r.text.replace(/\n+(Verify this reply: \S+|Ref [A-Z0-9]+)\s*$/u, '').trim();
          if (!text || !checkReply(text, { visibility: 'public' }).allowed) continue;
          const key = text.toLowerCase().replace(/\s+/g, ' ');
          const entry = counts.get(key) ?? { text, uses: 0 };
          entry.uses += 1;
          counts.set(key, entry);
        }
        for (const { text, uses } of counts.values()) {
          if (uses < 2) continue;
          const fit = overlap(words, contentWords(text)).score;
          replies.push({ kind: 'reply', text, uses, score: Math.round((0.3 + fit + Math.min(uses, 10) * 0.03) * 1000) / 1000, why: `sent ${uses} times this month to ${intent} messages` });
        }
      }
      const items = [...macros, ...replies].sort((a, b) => b.score - a.score).slice(0, limit);
      return { basedOn: { messageId: last.id, intent }, items };
    },
  };
};

export type SuggestedRepliesService = ReturnType<typeof createSuggestedRepliesService>;
