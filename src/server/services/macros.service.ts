import type { z } from 'zod';
import type { Actor } from '../../shared/permissions.js';
import { macroSchema, macroVariables, renderMacro, type MacroRender } from '../decide/macros.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { buildMacroVariables } from '../pipeline/decide-context.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';
import type { MacroRecord } from '../repositories/macros.repository.js';
import { recordAudit } from './audit.js';
import { parseOrThrow } from './decide-validation.js';

export const macroInputSchema = macroSchema.omit({ id: true });
export type MacroInput = z.input<typeof macroInputSchema>;

/** Variables the editor offers; a macro using any other name is refused on save. */
export const MACRO_VARIABLES = ['customer.name', 'customer.handle', 'customer.tier', 'conversation.id', 'conversation.subject', 'conversation.reference', 'channel.name', 'channel.platform', 'agent.name'] as const;

/** Canned responses with variables and per-channel variants; rendering for a conversation on a channel. */
export const createMacrosService = (deps: { repos: Repositories; uow: UnitOfWork; clock: Clock }) => {
  const { repos, uow, clock } = deps;

  const save = async (id: string | null, input: unknown, actor: Actor): Promise<MacroRecord> => {
    const parsed = parseOrThrow(macroInputSchema, input);
    const unknown = macroVariables({ ...parsed, id: 'draft' }).filter((v) => !(MACRO_VARIABLES as readonly string[]).includes(v));
    if (unknown.length) throw new AppError('validation_failed', `unknown variables: ${unknown.join(', ')}; available: ${MACRO_VARIABLES.join(', ')}`, 'body');
    return uow(async (tx) => {
      const now = clock.now();
      const existing = id ? await tx.macros.get(id) : null;
      if (id && !existing) throw new AppError('not_found', `no macro ${id}`);
      const record: MacroRecord = { ...parsed, id: existing?.id ?? newId(), createdAt: existing?.createdAt ?? now, updatedAt: now };
      await tx.macros.save(record);
      await recordAudit(tx, actor, now, existing ? 'macro.update' : 'macro.create', { type: 'macro', id: record.id }, { name: record.name });
      return record;
    });
  };

  const mustGet = async (id: string): Promise<MacroRecord> => {
    const m = await repos.macros.get(id);
    if (!m) throw new AppError('not_found', `no macro ${id}`);
    return m;
  };

  return {
    list: () => repos.macros.list(),
    get: mustGet,
    create: (input: unknown, actor: Actor) => save(null, input, actor),
    update: (id: string, input: unknown, actor: Actor) => save(id, input, actor),

    async remove(id: string, actor: Actor): Promise<void> {
      await uow(async (tx) => {
        if (!(await tx.macros.delete(id))) throw new AppError('not_found', `no macro ${id}`);
        await recordAudit(tx, actor, clock.now(), 'macro.delete', { type: 'macro', id });
      });
    },

    /** Renders for a conversation; `channel` picks the variant and length limit (default: the conversation's platform). */
    async render(id: string, input: { conversationId: string; channel?: string }, actor: Actor): Promise<MacroRender & { channel: string }> {
      const macro = await mustGet(id);
      const conversation = await repos.conversations.get(input.conversationId);
      if (!conversation) throw new AppError('conversation_not_found', `no conversation ${input.conversationId}`, 'conversationId');
      const [channel] = await repos.channels.getMany([conversation.channelId]);
      const customer = conversation.customerId ? (await repos.rules.customerFacts([conversation.customerId])).get(conversation.customerId) : undefined;
      const agent = actor.userId === 'system' ? null : await repos.users.get(actor.userId);
      const platform = input.channel ?? channel?.platform ?? 'unknown';
      return { ...renderMacro(macro, platform, buildMacroVariables({ conversation, customer, channel, agentName: agent?.name ?? null })), channel: platform };
    },
  };
};

export type MacrosService = ReturnType<typeof createMacrosService>;
