import type { Actor } from '../../shared/permissions.js';
import type { ListeningNode } from '../connectors/listening/ast.js';
import { ListeningQueryError } from '../connectors/listening/ast.js';
import { compileToXRules } from '../connectors/listening/compile-x.js';
import { testListeningQuery } from '../connectors/listening/match.js';
import { tryParseListeningQuery } from '../connectors/listening/parse.js';
import type { ChannelAdapter } from '../connectors/port.js';
import type { XAdapter } from '../connectors/x/x.connector.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { Channel } from '../repositories/channels.repository.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';
import type { ListeningRule, ListeningSample } from '../repositories/listening.repository.js';
import { recordAudit } from './audit.js';

export interface ListeningRuleInput {
  name: string;
  query: string;
  brandId?: string | null;
  enabled?: boolean;
}

export interface XSyncOutcome {
  channelId: string;
  ok: boolean;
  detail: string;
}

/** How many recent messages a rule is tried against before it is saved. */
const sampleSize = 5000;
/** Rules are re-read at most this often by the runtime (another process may have changed them). */
const cacheMs = 2000;

/** Parse or throw a validation error that names the character position, for problem+json. */
const parseOrThrow = (query: string): ListeningNode => {
  const parsed = tryParseListeningQuery(query);
  if (!parsed.ok) throw new AppError('validation_failed', parsed.message, 'query', { position: parsed.position });
  return parsed.ast;
};

const xRulesFor = (rules: readonly ListeningRule[]) =>
  rules.flatMap((rule) => {
    try {
      return compileToXRules(parseOrThrow(rule.query), { tag: `listening:${rule.id}` });
    } catch (error) {
      // Saved rules were checked on save; a rule that no longer compiles is skipped rather than blocking the rest.
      if (error instanceof ListeningQueryError || error instanceof AppError) return [];
      throw error;
    }
  });

const isXAdapter = (adapter: ChannelAdapter | null): adapter is XAdapter => adapter?.platform === 'x' && typeof (adapter as Partial<XAdapter>).syncStreamRules === 'function';

/**
 * Listening rules per brand: CRUD with positioned query errors, a dry run against recent stored messages, X
 * filtered-stream rules kept equal to the enabled rules, and the queries firehose adapters filter with.
 */
export const createListeningService = (deps: { repos: Repositories; uow: UnitOfWork; clock: Clock; adapterFor(channelId: string): Promise<ChannelAdapter | null> }) => {
  const { repos, uow, clock } = deps;
  let cached: { at: number; rules: ListeningRule[] } | null = null;

  const enabledRules = async (): Promise<ListeningRule[]> => {
    if (!cached || clock.now() - cached.at > cacheMs) cached = { at: clock.now(), rules: (await repos.listening.list()).filter((r) => r.enabled) };
    return cached.rules;
  };
  const appliesTo = (rule: ListeningRule, channel: Pick<Channel, 'brandId'>): boolean => rule.brandId === null || rule.brandId === channel.brandId;

  /** Make every active X channel's Parley-managed stream rules equal its brand's enabled listening rules. */
  const syncX = async (): Promise<XSyncOutcome[]> => {
    cached = null;
    const rules = await enabledRules();
    const outcomes: XSyncOutcome[] = [];
    for (const channel of await repos.channels.list()) {
      if (channel.platform !== 'x' || channel.status !== 'active') continue;
      const adapter = await deps.adapterFor(channel.id);
      if (!isXAdapter(adapter)) continue;
      try {
        const result = await adapter.syncStreamRules(xRulesFor(rules.filter((r) => appliesTo(r, channel))));
        outcomes.push({ channelId: channel.id, ok: true, detail: `${result.added} rules added, ${result.deleted} deleted` });
      } catch (error) {
        outcomes.push({ channelId: channel.id, ok: false, detail: error instanceof Error ? error.message : String(error) });
      }
    }
    return outcomes;
  };

  const mustGet = async (id: string): Promise<ListeningRule> => {
    const rule = await repos.listening.get(id);
    if (!rule) throw new AppError('not_found', `no listening rule ${id}`);
    return rule;
  };

  const validate = (query: string): void => {
    const ast = parseOrThrow(query);
    try {
      compileToXRules(ast, { tag: 'check' });
    } catch (error) {
      if (error instanceof ListeningQueryError) throw new AppError('validation_failed', error.message, 'query', { position: error.position });
      throw error;
    }
  };

  return {
    list: (): Promise<ListeningRule[]> => repos.listening.list(),

    async create(input: ListeningRuleInput, actor: Actor): Promise<{ rule: ListeningRule; xSync: XSyncOutcome[] }> {
      validate(input.query);
      const now = clock.now();
      const rule: ListeningRule = { id: newId(), brandId: input.brandId ?? null, name: input.name, query: input.query, enabled: input.enabled ?? true, createdBy: actor.userId, createdAt: now, updatedAt: now };
      await uow(async (tx) => {
        await tx.listening.create(rule);
        await recordAudit(tx, actor, now, 'listening_rule.create', { type: 'listening_rule', id: rule.id }, { query: rule.query });
      });
      return { rule, xSync: await syncX() };
    },

    async update(id: string, patch: Partial<ListeningRuleInput>, actor: Actor): Promise<{ rule: ListeningRule; xSync: XSyncOutcome[] }> {
      if (patch.query !== undefined) validate(patch.query);
      await uow(async (tx) => {
        if (!(await tx.listening.update(id, patch, clock.now()))) throw new AppError('not_found', `no listening rule ${id}`);
        await recordAudit(tx, actor, clock.now(), 'listening_rule.update', { type: 'listening_rule', id }, { ...patch });
      });
      return { rule: await mustGet(id), xSync: await syncX() };
    },

    async remove(id: string, actor: Actor): Promise<{ xSync: XSyncOutcome[] }> {
      await uow(async (tx) => {
        if (!(await tx.listening.remove(id))) throw new AppError('not_found', `no listening rule ${id}`);
        await recordAudit(tx, actor, clock.now(), 'listening_rule.remove', { type: 'listening_rule', id });
      });
      return { xSync: await syncX() };
    },

    /** Try a query against recent stored messages before saving it: how many it would have caught, and which. */
    async test(query: string, limit: number): Promise<{ total: number; matchedCount: number; matches: ListeningSample[] }> {
      const ast = parseOrThrow(query);
      const recent = await repos.listening.recentMessages(sampleSize);
      return testListeningQuery(ast, recent, limit);
    },

    /** Queries firehose adapters (Bluesky, Mastodon, Reddit, RSS) filter a channel's sources with. */
    async queriesFor(channel: Channel): Promise<string[]> {
      return (await enabledRules()).filter((r) => appliesTo(r, channel)).map((r) => r.query);
    },

    syncX,
  };
};

export type ListeningService = ReturnType<typeof createListeningService>;
