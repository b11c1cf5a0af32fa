import { systemActor } from '../../shared/permissions.js';
import type { JobHandler } from '../jobs/definitions.js';
import { recordAudit } from './audit.js';

declare module '../jobs/definitions.js' {
  interface JobPayloads {
    'conversation.wake': { conversationIds: string[] };
  }
}

/**
 * Runs at a snooze's end: the conversation comes back to the open queue. A snooze ended earlier (the customer wrote,
 * an agent reopened or snoozed again until later) makes the wake-up a no-op, so stale jobs are harmless.
 */
export const createSnoozeWakeStage = (deps: { onChanged?: (conversationIds: string[]) => void }): JobHandler<'conversation.wake'> => ({
  type: 'conversation.wake',
  merge: (payloads) => ({ conversationIds: [...new Set(payloads.flatMap((p) => p.conversationIds))] }),
  async handle({ conversationIds }, ctx) {
    const woken: string[] = [];
    for (const id of new Set(conversationIds)) {
      if (!(await ctx.repos.conversations.wake(id, ctx.now))) continue;
      await recordAudit(ctx.repos, systemActor('snooze'), ctx.now, 'conversation.wake', { type: 'conversation', id });
      woken.push(id);
    }
    ctx.afterCommit(() => {
      if (woken.length) deps.onChanged?.(woken);
    });
  },
});
