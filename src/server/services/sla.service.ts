import { z } from 'zod';
import type { Actor } from '../../shared/permissions.js';
import { businessCalendarSchema } from '../decide/sla-calendar.js';
import { slaAttainment, slaPolicySchema } from '../decide/sla.js';
import type { JobPayloads, JobType } from '../jobs/definitions.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { bumpDecideVersion } from '../pipeline/decide-config.js';
import { BUILTIN_POLICIES, dueOf, syncClocks } from '../pipeline/decide-sla.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';
import type { SlaPolicyRecord } from '../repositories/sla.repository.js';
import { recordAudit } from './audit.js';
import { parseOrThrow } from './decide-validation.js';
import { pushTo } from '../../shared/collections.js';

/** What an admin writes: the policy's targets and overrides, its scope, and its business calendar. */
export const slaPolicyInputSchema = slaPolicySchema.omit({ id: true }).extend({
  position: z.number().int().min(0).max(10_000).optional(),
  appliesTo: z.strictObject({ channels: z.array(z.string().min(1).max(64)).max(50).optional(), visibility: z.enum(['public', 'private']).optional() }).default({}),
  calendar: businessCalendarSchema.default({ timeZone: 'UTC', hours: { mon: [{ open: '00:00', close: '24:00' }], tue: [{ open: '00:00', close: '24:00' }], wed: [{ open: '00:00', close: '24:00' }], thu: [{ open: '00:00', close: '24:00' }], fri: [{ open: '00:00', close: '24:00' }], sat: [{ open: '00:00', close: '24:00' }], sun: [{ open: '00:00', close: '24:00' }] }, holidays: [] }),
});
export type SlaPolicyInput = z.input<typeof slaPolicyInputSchema>;

const hasOpenHours = (p: z.output<typeof slaPolicyInputSchema>): boolean => Object.values(p.calendar.hours).some((w) => (w?.length ?? 0) > 0);

/** SLA policies (CRUD, audited), clock upkeep when a conversation changes outside the pipeline, and attainment. */
export const createSlaService = (deps: { repos: Repositories; uow: UnitOfWork; clock: Clock }) => {
  const { repos, uow, clock } = deps;

  const validate = (input: unknown) => {
    const p = parseOrThrow(slaPolicyInputSchema, input);
    if (p.businessHours && !hasOpenHours(p)) throw new AppError('validation_failed', 'business hours need at least one open window', 'calendar.hours');
    return p;
  };

  const save = async (id: string | null, input: unknown, actor: Actor): Promise<SlaPolicyRecord> => {
    const p = validate(input);
    return uow(async (tx) => {
      const now = clock.now();
      const existing = id ? await tx.sla.getPolicy(id) : null;
      if (id && !existing) throw new AppError('not_found', `no SLA policy ${id}`);
      const policyId = existing?.id ?? newId();
      const position = p.position ?? existing?.position ?? (await tx.sla.listPolicies()).length;
      const record: SlaPolicyRecord = {
        id: policyId, name: p.name, position, appliesTo: p.appliesTo, calendar: p.calendar,
        policy: { id: policyId, name: p.name, businessHours: p.businessHours, warnAtRatio: p.warnAtRatio, defaults: p.defaults, overrides: p.overrides },
        createdAt: existing?.createdAt ?? now, updatedAt: now,
      };
      await tx.sla.savePolicy(record);
      await bumpDecideVersion(tx, now);
      await recordAudit(tx, actor, now, existing ? 'sla_policy.update' : 'sla_policy.create', { type: 'sla_policy', id: policyId }, { name: p.name });
      return record;
    });
  };

  return {
    list: () => repos.sla.listPolicies(),
    /** The built-in policies apply where no configured policy matches. */
    builtins: () => BUILTIN_POLICIES,

    async get(id: string): Promise<SlaPolicyRecord> {
      const p = await repos.sla.getPolicy(id);
      if (!p) throw new AppError('not_found', `no SLA policy ${id}`);
      return p;
    },

    create: (input: unknown, actor: Actor) => save(null, input, actor),
    update: (id: string, input: unknown, actor: Actor) => save(id, input, actor),

    async remove(id: string, actor: Actor): Promise<void> {
      await uow(async (tx) => {
        const now = clock.now();
        if (!(await tx.sla.deletePolicy(id))) throw new AppError('not_found', `no SLA policy ${id}`);
        await bumpDecideVersion(tx, now);
        await recordAudit(tx, actor, now, 'sla_policy.delete', { type: 'sla_policy', id });
      });
    },

    /** A conversation's clocks, for the agent view and tests. */
    clocksOf: (conversationId: string) => repos.sla.clocksOf(conversationId),

    /**
     * Reconciles clocks after a change made outside the pipeline (an agent's reply, a status change to or from
     * `pending`, a resolution). Reads first; writes only conversations whose clocks actually change.
     */
    async syncConversations(conversationIds: readonly string[]): Promise<void> {
      const open = await repos.sla.openClocks(conversationIds);
      if (open.size === 0) return;
      // Most changes (the pipeline's own decisions) leave clocks alone; only these can pause, resume, meet or cancel one.
      const candidates = (await repos.conversations.getMany([...open.keys()])).filter((c) =>
        (open.get(c.id) ?? []).some((k) => {
          const paused = k.pauses.some((p) => p.to === null);
          return c.status === 'resolved' || c.status === 'closed' || (c.status === 'pending') !== paused || c.lastMessageDirection === 'out' || (c.firstResponseAt ?? -1) >= k.startedAt;
        }),
      );
      if (candidates.length === 0) return;
      await uow(async (tx) => {
        const now = clock.now();
        const policies = await tx.sla.listPolicies();
        const pending: { type: JobType; payload: JobPayloads[JobType]; runAt: number }[] = [];
        // Re-read inside the transaction: another sync may have paused or met these clocks meanwhile.
        const fresh = await tx.sla.openClocks(candidates.map((c) => c.id));
        for (const conv of await tx.conversations.getMany([...fresh.keys()])) {
          const clocks = fresh.get(conv.id) ?? [];
          const after = await syncClocks(tx, conv, clocks, policies, now, async (type, payload, runAt) => {
            pending.push({ type, payload, runAt: runAt ?? now });
          });
          const due = dueOf(after);
          if (due !== conv.slaDueAt) await tx.sla.setConversationDue(conv.id, due, now);
        }
        if (pending.length) await tx.jobs.enqueue(pending.map((j) => ({ id: newId(), type: j.type, payload: JSON.stringify(j.payload), runAt: j.runAt })), now);
      });
    },

    /** Attainment % per policy and metric over clocks started in [from, to); running clocks not yet due are pending. */
    async attainment(range: { from: number; to: number }) {
      const [outcomes, policies] = await Promise.all([repos.sla.outcomes(range.from, range.to), repos.sla.listPolicies()]);
      const names = new Map([...BUILTIN_POLICIES, ...policies].map((p) => [p.id, p.name]));
      const groups = new Map<string, typeof outcomes>();
      for (const o of outcomes) pushTo(groups, `${o.policyId}\u0000${o.metric}`, o);
      const now = new Date(clock.now());
      const rows = [...groups].map(([key, list]) => {
        const [policyId, metric] = key.split('\u0000') as [string, string];
        const a = slaAttainment(list.map((o) => ({ dueAt: o.dueAt === null ? null : new Date(o.dueAt), metAt: o.metAt === null ? null : new Date(o.metAt) })), now);
        return { policyId, policyName: names.get(policyId) ?? policyId, metric, ...a, pct: a.pct === null ? null : Math.round(a.pct * 10) / 10 };
      });
      return { from: range.from, to: range.to, policies: rows.sort((a, b) => a.policyName.localeCompare(b.policyName) || a.metric.localeCompare(b.metric)) };
    },
  };
};

export type SlaService = ReturnType<typeof createSlaService>;
