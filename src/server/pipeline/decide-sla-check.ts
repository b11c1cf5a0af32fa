import type { JobHandler } from '../jobs/definitions.js';
import type { PriorityBand } from '../decide/priority.js';
import { createDecideConfigCache, type DecideConfigCache } from './decide-config.js';
import { buildRuleContext, decisionStateOf } from './decide-context.js';
import { privateLinks, runRules, type PrivateLinkIssuer, type RuleRuntime } from './decide-rules.js';
import { dueOf, isPaused, scheduleChecks, syncClocks } from './decide-sla.js';

/**
 * Runs at a clock's warning and due instants: fires `sla_warning` rules once, moves an unassigned conversation at
 * risk (and any breached one) to the supervisor queue. Stale checks (clock met, paused, moved) do nothing.
 */
export const createSlaCheckStage = (deps: { config?: DecideConfigCache; publicUrl?: string; allowPrivateWebhooks?: boolean; onChanged?: (conversationIds: string[]) => void; onOutbox?: () => void; issuePrivateLink?: PrivateLinkIssuer }): JobHandler<'decide.sla_check'> => {
  const cache = deps.config ?? createDecideConfigCache();
  return {
    type: 'decide.sla_check',
    merge: (payloads) => ({ clockIds: [...new Set(payloads.flatMap((p) => p.clockIds))] }),
    async handle({ clockIds }, ctx) {
      const { repos, now } = ctx;
      const config = await cache.load(repos);
      const rt: RuleRuntime = { tx: repos, now, compiled: config.compiled, enqueue: ctx.enqueue, publicUrl: deps.publicUrl ?? '', allowPrivateWebhooks: deps.allowPrivateWebhooks ?? false, macros: new Map(), sentReply: false, ...privateLinks(deps.issuePrivateLink, repos, now) };
      const changed: string[] = [];
      for (const id of new Set(clockIds)) {
        const stored = await repos.sla.getClock(id);
        if (!stored || stored.closedAt !== null) continue;
        const conv = await repos.conversations.get(stored.conversationId);
        if (!conv) continue;
        const [clock] = await syncClocks(repos, conv, [stored], config.policies, now, ctx.enqueue);
        if (!clock || isPaused(clock)) continue;
        const breached = clock.dueAt !== null && now >= clock.dueAt && clock.breachedAt === null;
        const warned = clock.warnAt !== null && now >= clock.warnAt && clock.warnedAt === null;
        if (!breached && !warned) {
          // Pauses moved the instants: check again when they come.
          await scheduleChecks(clock, ctx.enqueue);
          continue;
        }
        const state = decisionStateOf(conv);
        let runs: Awaited<ReturnType<typeof runRules>> = [];
        if (warned) {
          const lastIn = [...(await repos.messages.listByConversation(conv.id, 500))].reverse().find((m) => m.direction === 'in');
          const message = lastIn ? (await repos.messages.forPipeline([lastIn.id]))[0] : undefined;
          if (message) {
            const channel = (await repos.channels.getMany([conv.channelId]))[0];
            const customer = conv.customerId ? (await repos.rules.customerFacts([conv.customerId])).get(conv.customerId) : undefined;
            const priority = { score: conv.priority, band: conv.priorityBand };
            const target = { conversation: conv, channel, customer, messageId: null, inbound: { externalId: message.externalId, kind: message.kind, authorPlatformId: message.authorPlatformId, authorHandle: message.authorHandle, authorDisplayName: message.authorDisplayName, authorEmail: message.authorEmail } };
            runs = await runRules(rt, target, state, { id: `sla:${clock.id}:warning`, type: 'sla_warning' }, () => ({ ...buildRuleContext({ message, conversation: conv, state, channel, customer, priority }), sla: { metric: clock.metric, dueAt: clock.dueAt, targetMinutes: clock.targetMinutes } }));
          }
          state.tags = [...new Set([...state.tags, 'sla-risk'])].sort();
          if (state.assigneeId === null && state.status === 'open') state.queue = 'supervisor';
        }
        if (breached) {
          state.queue = 'supervisor';
          state.tags = [...new Set([...state.tags, 'sla-breached'])].sort();
        }
        const updated = { ...clock, warnedAt: clock.warnedAt ?? (warned || breached ? now : null), breachedAt: breached ? now : clock.breachedAt };
        await repos.sla.saveClock(updated);
        // Warned, not yet breached: the due instant's check comes next.
        if (updated.breachedAt === null) await scheduleChecks(updated, ctx.enqueue);
        await repos.rules.recordRuns(runs);
        await repos.rules.addTags(conv.id, state.tags, now);
        const band = (state.bandOverride ?? conv.priorityBand) as PriorityBand;
        await repos.conversations.updateDecision({
          id: conv.id, priority: conv.priority, priorityBand: band, priorityParts: conv.priorityParts, assigneeId: state.assigneeId, teamId: state.teamId, queue: state.queue,
          slaDueAt: dueOf([updated, ...((await repos.sla.openClocks([conv.id])).get(conv.id) ?? []).filter((c) => c.id !== updated.id)]), ...(state.status !== conv.status ? { status: state.status } : {}), now,
        });
        changed.push(conv.id);
      }
      ctx.afterCommit(() => {
        if (changed.length) deps.onChanged?.(changed);
        if (rt.sentReply) deps.onOutbox?.();
      });
    },
  };
};
