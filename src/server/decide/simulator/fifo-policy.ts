import type { WorkloadModel } from './model.js';
import type { Random } from './random.js';
import { simAgents, type SimOutcome } from './sim-common.js';

/**
 * The baseline most teams run: one queue in arrival order, every post answered one by one
 * (outage posts with a canned reply, which is faster than writing), no priority, no incident.
 * It is given the same agents, languages and service posts as Parley; marketing posts are left out. It has no
 * holding-reply nudge: the first response is the full reply.
 */
export function simulateFifo(outcomes: SimOutcome[], model: WorkloadModel, r: Random): void {
  const end = 1440 + model.graceAfterDay;
  const agents = simAgents(model.agents).map((a) => ({ ...a, freeAt: 0 }));
  const queue = outcomes.filter((o) => o.service);
  const taken = new Uint8Array(queue.length);
  let head = 0;
  // Time advances agent by agent: the earliest-free agent takes the oldest post it can answer,
  // waiting for it if it has not arrived yet.
  for (;;) {
    const agent = agents.reduce((a, b) => (b.freeAt < a.freeAt ? b : a));
    while (head < queue.length && taken[head]) head++;
    let pick = -1;
    for (let i = head; i < queue.length; i++) {
      if (!taken[i] && agent.languages.includes((queue[i] as SimOutcome).post.language)) {
        pick = i;
        break;
      }
    }
    if (pick === -1) {
      // Nothing left this agent can answer: take it out of the rotation.
      agent.freeAt = Number.POSITIVE_INFINITY;
      if (agents.every((a) => a.freeAt === Number.POSITIVE_INFINITY)) break;
      continue;
    }
    const o = queue[pick] as SimOutcome;
    const start = Math.max(agent.freeAt, o.post.at + model.pipelineLatency);
    if (start > end) {
      agent.freeAt = Number.POSITIVE_INFINITY;
      if (agents.every((a) => a.freeAt === Number.POSITIVE_INFINITY)) break;
      continue;
    }
    taken[pick] = 1;
    const handle = o.post.burst ? r.lognormal(model.cannedReplyMedian, 0.4) : r.lognormal(model.handleMedian, model.handleSigma);
    agent.freeAt = start + handle;
    o.replyMinutes = handle;
    if (agent.freeAt <= end) {
      o.firstResponseAt = agent.freeAt;
      o.answeredAt = agent.freeAt;
    }
  }
}
