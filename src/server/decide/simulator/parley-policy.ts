import { ageFloorScore, scorePriority } from '../priority.js';
import { chooseAssignee, INITIAL_ROUTING_STATE, isSkilledFor, type RoutableConversation, type RoutingAgent } from '../routing.js';
import { pickNextWork, responseDeadline, type WaitingWork } from '../work-order.js';
import { createEventHeap } from './event-heap.js';
import type { WorkloadModel } from './model.js';
import { createRandom, type Random } from './random.js';
import { priorityInput, simAgents, type SimAgent, type SimOutcome } from './sim-common.js';

const MIN = 60_000;

/** A post waiting for an agent, as the product sees it: its stored priority, wait and SLA due time (minutes as ms). */
interface Item extends WaitingWork {
  o: SimOutcome;
  conversation: RoutableConversation;
  /** Grouped into the incident by the correlate stage (once the incident exists). */
  member: boolean;
  /** Taken by an agent (its reply or attachment started): no longer in the inbox list. */
  taken: boolean;
}
type Task = { kind: 'reply'; item: Item } | { kind: 'attach'; item: Item } | { kind: 'incident_answer' };
type Event =
  | { kind: 'arrive'; o: SimOutcome }
  | { kind: 'done'; agent: number; task: Task; generation: number }
  | { kind: 'at_risk'; item: Item }
  | { kind: 'detect' }
  | { kind: 'confirm' }
  | { kind: 'tick' };

/**
 * Parley's decide policy: the priority score given on arrival (stored as a whole number, lifted every minute by the
 * age floor, as the decide stage and its scheduler do), agents taking waiting posts in the product's work order
 * (decide/work-order.ts: priority while a post has slack, earliest deadline first once it nears its 15 minutes),
 * skills routing to the least-loaded agent, marketing posts kept away from agents, and the outage
 * handled as one incident: detected by the correlate rule, confirmed by a supervisor (or by itself once the
 * detector is confident enough, as Parley does by default), answered once
 * by the next free agent, fanned out through the outbox; stray outage posts are attached by agents.
 */
export interface IncidentTimeline {
  detectedAt: number | null;
  confirmedAt: number | null;
  answeredAt: number | null;
}

export function simulateParley(outcomes: SimOutcome[], model: WorkloadModel, random: Random): IncidentTimeline {
  const end = 1440 + model.graceAfterDay;
  // Independent processes draw from independent streams, so a change in how agents are scheduled cannot move the
  // supervisor's confirmation or which posts the correlate stage grouped (common random numbers across policies).
  const r = createRandom(random.int(1, 2 ** 30));
  const timeline = createRandom(random.int(1, 2 ** 30));
  const grouping = createRandom(random.int(1, 2 ** 30));
  const joining = createRandom(random.int(1, 2 ** 30));
  // Drawn last and on its own stream: with the nudge off, every other draw is what it was.
  const holding = createRandom(random.int(1, 2 ** 30));
  // doneAt: when the current task ends (pushed back by an interruption); generation: which 'done' event is current;
  // interruptedUntil: busy with a holding reply from the inbox row until then.
  const agents = simAgents(model.agents).map((a: SimAgent) => ({ ...a, busy: false, doneAt: 0, generation: 0, interruptedUntil: 0, task: null as Task | null }));
  const heap = createEventHeap<Event>();
  let routing = INITIAL_ROUTING_STATE;
  let queue: Item[] = [];
  const incident = { recent: [] as number[], detectAt: null as number | null, detected: false, pending: false, taken: false, answerAt: null as number | null, confirmedAt: null as number | null, waiting: [] as SimOutcome[], fanCursor: 0, members: 0 };

  // The work order works in epoch milliseconds like the product; the simulation counts minutes from midnight.
  const ms = (minutes: number): number => minutes * MIN;
  const deliver = (o: SimOutcome, readyAt: number): void => {
    incident.fanCursor = Math.max(incident.fanCursor, readyAt) + 1 / model.fanOutPerMinute;
    o.viaIncident = true;
    if (incident.fanCursor <= end) {
      // A holding reply sent from the inbox row before the post was attached stays its first response.
      if (!o.holdingReply) o.firstResponseAt = incident.fanCursor;
      o.answeredAt = incident.fanCursor;
    }
  };
  const joinIncident = (o: SimOutcome, t: number): void => {
    if (incident.answerAt !== null) deliver(o, t + model.pipelineLatency);
    else incident.waiting.push(o);
    incident.members++;
    // Enough members for the detector's confidence to pass the auto-confirm threshold: confirmed without waiting for the supervisor.
    if (incident.confirmedAt === null && model.autoConfirmMembers !== null && incident.members >= model.autoConfirmMembers) confirm(t);
  };
  const confirm = (t: number): void => {
    if (incident.confirmedAt !== null) return;
    incident.pending = true;
    incident.confirmedAt = t;
    agents.forEach((_, i) => pull(i, t));
  };
  const start = (index: number, task: Task, t: number): void => {
    const agent = agents[index];
    if (!agent) return;
    agent.busy = true;
    const d =
      task.kind === 'incident_answer'
        ? timeline.lognormal(model.incidentAnswerMedian, model.incidentAnswerSigma)
        : task.kind === 'attach'
          ? r.lognormal(model.attachMedian, 0.4)
          : r.lognormal(model.handleMedian, model.handleSigma);
    let busy = d;
    if (task.kind !== 'incident_answer') task.item.taken = true;
    if (task.kind === 'reply') {
      const o = task.item.o;
      o.replyMinutes = d;
      // The composer's nudge (shared/holding-reply.ts): a reply that would land after the deadline gets a holding
      // reply first, sent once the nudge shows, while it can still arrive in time (model.ts); the full answer still
      // takes its whole handle time after it.
      const deadline = responseDeadline(task.item) / MIN;
      // A post already acknowledged from the inbox row shows no nudge (we spoke last; the answer is owed).
      if (model.holdingReplies && !o.holdingReply && t + d > deadline && t + model.holdingReplyMedian <= deadline) {
        const h = holding.lognormal(model.holdingReplyMedian, model.holdingReplySigma);
        const sentAt = Math.max(t, deadline - model.holdingReplyLeadMinutes) + h;
        o.holdingReply = true;
        if (sentAt <= end) o.firstResponseAt = sentAt;
        busy = d + h;
      }
    }
    agent.doneAt = t + busy;
    agent.task = task;
    heap.push(t + busy, { kind: 'done', agent: index, task, generation: ++agent.generation });
  };
  const taskFor = (item: Item): Task => (item.o.post.burst && incident.detected ? { kind: 'attach', item } : { kind: 'reply', item });
  const pull = (index: number, t: number): void => {
    const agent = agents[index];
    if (!agent || agent.busy) return;
    if (incident.pending && !incident.taken) {
      incident.taken = true;
      start(index, { kind: 'incident_answer' }, t);
      return;
    }
    const skills = routingAgents()[index] as RoutingAgent;
    const best = pickNextWork(queue, ms(t), (it) => isSkilledFor(skills, it.conversation));
    if (best === -1) return;
    const [item] = queue.splice(best, 1);
    if (item) start(index, taskFor(item), t);
  };
  const routingAgents = (): RoutingAgent[] =>
    agents.map((a) => ({ id: a.id, status: 'online', teams: ['care'], skills: { languages: a.languages, intents: ['*'], channels: ['*'] }, capacity: 1, load: a.busy ? 1 : 0 }));

  const arrive = (o: SimOutcome, t: number): void => {
    if (!o.service) return;
    const member = o.post.burst && grouping.chance(model.incidentRecall);
    if (member && incident.detectAt === null) {
      incident.recent.push(t);
      while ((incident.recent[0] ?? t) < t - model.detectionWindow) incident.recent.shift();
      if (incident.recent.length >= model.detectionCount) {
        incident.detectAt = t + model.pipelineLatency;
        heap.push(incident.detectAt, { kind: 'detect' });
      }
    }
    if (member && incident.detected) return joinIncident(o, t);
    // The decide stage joins an outage post the detector missed to the confirmed incident (decide/incident-join.ts).
    if (!member && o.post.burst && incident.confirmedAt !== null && joining.chance(model.confirmedJoinShare)) return joinIncident(o, t);
    const priority = scorePriority(priorityInput(o.post, t, o.dueAt));
    const conversation: RoutableConversation = { id: String(o.post.id), language: o.post.language, intent: o.post.intent, channel: o.post.channel, band: priority.band, sla: 'ok', needsResponse: true, teamId: 'care' };
    // The store keeps a whole-number score (decide.ts writes it cast to an integer).
    const item: Item = { id: conversation.id, priority: Math.trunc(priority.score), waitingSince: ms(o.post.at), dueAt: Number.isFinite(o.dueAt) ? ms(o.dueAt) : null, o, conversation, member, taken: false };
    const decision = chooseAssignee(conversation, routingAgents(), routing);
    routing = decision.state;
    if (decision.kind === 'agent') start(agents.findIndex((a) => a.id === decision.agentId), taskFor(item), t);
    else {
      queue.push(item);
      if (model.rowHoldingReplies) heap.push(Math.max(t, responseDeadline(item) / MIN - model.holdingReplyLeadMinutes), { kind: 'at_risk', item });
    }
  };

  /**
   * The inbox row's "Send holding reply" (inbox/conversation-row.tsx): once a waiting post nobody has taken reaches
   * its at-risk point (the deadline within the lead time), the agents look at who will be free in time. In deadline
   * order, as the work order takes them: a post already acknowledged goes to the next skilled agent to be free; a post
   * not yet acknowledged to a skilled agent free early enough for a holding reply to still arrive by its deadline. A
   * post left without one is acknowledged from its row by a busy agent skilled for it (not one already doing so, nor
   * one whose own reply would then miss its post's deadline; preferably one not expected to take another post; the
   * one with the most work left), who then resumes their task:
   * its remaining time is still spent, after the holding reply. One agent per post, and only while a holding reply
   * can still arrive in time. The post stays waiting for its full answer. Re-checked every minute.
   */
  // Breaking off a reply that is its post's first response and would then land after its deadline only moves the
  // lateness to that post: the agent writing it does not (the holding reply's 95th percentile counted).
  const holdingP95 = model.holdingReplyMedian * Math.exp(1.645 * model.holdingReplySigma);
  const wouldMakeLate = (task: Task | null, doneAt: number): boolean =>
    task?.kind === 'reply' && !task.item.o.holdingReply && doneAt + holdingP95 > responseDeadline(task.item) / MIN;
  const rowHoldingReply = (t: number): void => {
    // Posts already acknowledged still wait for their answer, and the work order gives their (earlier) deadlines the
    // next free agent first: they take up the agents about to be free, but need no holding reply themselves.
    const atRisk = queue
      .filter((it) => !it.taken)
      .map((it) => ({ it, deadline: responseDeadline(it) / MIN }))
      .filter((x) => x.deadline - model.holdingReplyLeadMinutes <= t && (x.it.o.holdingReply || t + model.holdingReplyMedian <= x.deadline))
      .sort((a, b) => a.deadline - b.deadline);
    if (!atRisk.some((x) => !x.it.o.holdingReply)) return;
    // Agents expected to take an at-risk post when their task ends.
    const reserved = new Set<number>();
    for (const { it, deadline } of atRisk) {
      const skilled = (i: number): boolean => isSkilledFor(routingAgents()[i] as RoutingAgent, it.conversation);
      if (it.o.holdingReply) {
        // The next skilled agent to be free takes it, whenever that is.
        let next = -1;
        for (const [i, a] of agents.entries()) if (!reserved.has(i) && skilled(i) && (next === -1 || (a.busy ? a.doneAt : t) < (agents[next]?.busy ? (agents[next]?.doneAt ?? t) : t))) next = i;
        if (next !== -1) reserved.add(next);
        continue;
      }
      const freeInTime = agents.findIndex((a, i) => !reserved.has(i) && skilled(i) && a.interruptedUntil <= t && (!a.busy || a.doneAt + model.holdingReplyMedian <= deadline));
      if (freeInTime !== -1) {
        reserved.add(freeInTime);
        continue;
      }
      let pick = -1;
      for (const [i, a] of agents.entries()) {
        // Busy, not already sending one; one expected to take another post later may still break off now, but one
        // that is not comes first.
        if (!a.busy || a.interruptedUntil > t || !skilled(i) || wouldMakeLate(a.task, a.doneAt)) continue;
        const p = agents[pick];
        if (pick === -1 || !p || (reserved.has(pick) && !reserved.has(i)) || (reserved.has(pick) === reserved.has(i) && a.doneAt > p.doneAt)) pick = i;
      }
      const agent = agents[pick];
      if (!agent?.task) continue;
      const h = holding.lognormal(model.holdingReplyMedian, model.holdingReplySigma);
      it.o.holdingReply = true;
      it.o.rowHoldingReply = true;
      if (t + h <= end) it.o.firstResponseAt = t + h;
      agent.interruptedUntil = t + h;
      agent.doneAt += h;
      heap.push(agent.doneAt, { kind: 'done', agent: pick, task: agent.task, generation: ++agent.generation });
    }
  };

  for (const o of outcomes) heap.push(o.post.at + model.pipelineLatency, { kind: 'arrive', o });
  for (let m = 1; m < end; m++) heap.push(m, { kind: 'tick' });

  for (let ev = heap.pop(); ev && ev.at <= end; ev = heap.pop()) {
    const t = ev.at;
    const e = ev.value;
    if (e.kind === 'arrive') arrive(e.o, t);
    else if (e.kind === 'at_risk') {
      if (!e.item.taken) rowHoldingReply(t);
    } else if (e.kind === 'tick') {
      // The scheduler's minute: the age floor lifts a waiting post's stored score, never lowers it (decide-events.ts).
      for (const it of queue) {
        const floor = ageFloorScore(t - it.o.post.at);
        if (floor !== null && Math.floor(floor) > it.priority) it.priority = Math.floor(floor);
      }
      // Agents glance at the list again: a post whose expected helper took other work is still caught in time.
      if (model.rowHoldingReplies) rowHoldingReply(t);
    }
    else if (e.kind === 'detect') {
      incident.detected = true;
      // Grouped posts still waiting leave the queue for the incident.
      const stay: Item[] = [];
      for (const it of queue) if (it.member) joinIncident(it.o, t); else stay.push(it);
      queue = stay;
      heap.push(t + timeline.lognormal(model.confirmMedian, model.confirmSigma), { kind: 'confirm' });
    } else if (e.kind === 'confirm') {
      confirm(t);
    } else {
      const agent = agents[e.agent];
      // An interruption pushed this task's end back: a later 'done' event stands for it.
      if (!agent || e.generation !== agent.generation) continue;
      const task = e.task;
      if (task.kind === 'reply') {
        task.item.o.answeredAt = t;
        if (!task.item.o.holdingReply) task.item.o.firstResponseAt = t;
      }
      else if (task.kind === 'attach') joinIncident(task.item.o, t);
      else {
        incident.answerAt = t;
        incident.pending = false;
        for (const o of incident.waiting) deliver(o, t);
        incident.waiting = [];
      }
      agent.busy = false;
      agent.task = null;
      pull(e.agent, t);
    }
  }
  return { detectedAt: incident.detectAt, confirmedAt: incident.confirmedAt, answeredAt: incident.answerAt };
}
