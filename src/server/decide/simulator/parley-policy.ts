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
}
type Task = { kind: 'reply'; item: Item } | { kind: 'attach'; item: Item } | { kind: 'incident_answer' };
type Event = { kind: 'arrive'; o: SimOutcome } | { kind: 'done'; agent: number; task: Task } | { kind: 'detect' } | { kind: 'confirm' } | { kind: 'tick' };

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
  const agents = simAgents(model.agents).map((a: SimAgent) => ({ ...a, busy: false }));
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
      o.firstResponseAt = incident.fanCursor;
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
    if (task.kind === 'reply') {
      const o = task.item.o;
      o.replyMinutes = d;
      // The composer's nudge (shared/holding-reply.ts): a reply that would land after the deadline gets a holding
      // reply first, sent once the nudge shows, while it can still arrive in time (model.ts); the full answer still
      // takes its whole handle time after it.
      const deadline = responseDeadline(task.item) / MIN;
      if (model.holdingReplies && t + d > deadline && t + model.holdingReplyMedian <= deadline) {
        const h = holding.lognormal(model.holdingReplyMedian, model.holdingReplySigma);
        const sentAt = Math.max(t, deadline - model.holdingReplyLeadMinutes) + h;
        o.holdingReply = true;
        if (sentAt <= end) o.firstResponseAt = sentAt;
        busy = d + h;
      }
    }
    heap.push(t + busy, { kind: 'done', agent: index, task });
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
    const item: Item = { id: conversation.id, priority: Math.trunc(priority.score), waitingSince: ms(o.post.at), dueAt: Number.isFinite(o.dueAt) ? ms(o.dueAt) : null, o, conversation, member };
    const decision = chooseAssignee(conversation, routingAgents(), routing);
    routing = decision.state;
    if (decision.kind === 'agent') start(agents.findIndex((a) => a.id === decision.agentId), taskFor(item), t);
    else queue.push(item);
  };

  for (const o of outcomes) heap.push(o.post.at + model.pipelineLatency, { kind: 'arrive', o });
  for (let m = 1; m < end; m++) heap.push(m, { kind: 'tick' });

  for (let ev = heap.pop(); ev && ev.at <= end; ev = heap.pop()) {
    const t = ev.at;
    const e = ev.value;
    if (e.kind === 'arrive') arrive(e.o, t);
    else if (e.kind === 'tick') {
      // The scheduler's minute: the age floor lifts a waiting post's stored score, never lowers it (decide-events.ts).
      for (const it of queue) {
        const floor = ageFloorScore(t - it.o.post.at);
        if (floor !== null && Math.floor(floor) > it.priority) it.priority = Math.floor(floor);
      }
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
      const agent = agents[e.agent];
      if (agent) agent.busy = false;
      pull(e.agent, t);
    }
  }
  return { detectedAt: incident.detectAt, confirmedAt: incident.confirmedAt, answeredAt: incident.answerAt };
}
