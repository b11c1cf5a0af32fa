/**
 * The holding reply: when a customer's response deadline is close and the full answer is not written yet, a short
 * acknowledgement sent first is their (individual) first or next response, and the agent finishes the answer after.
 * Shared by the composer's nudge and the workload simulation that measures it.
 */

/** Every post should have a response within this many minutes, whatever its SLA says (decide/work-order.ts). */
export const RESPONSE_HORIZON_MINUTES = 15;
/** The composer suggests a holding reply once the deadline is this close, or past. */
export const HOLDING_REPLY_LEAD_MINUTES = 3;

const MIN = 60_000;

export interface WaitingConversation {
  status: string;
  /** 'in' when the customer spoke last: the conversation is waiting for our response. */
  lastMessageDirection: string;
  createdAt: string;
  lastMessageAt: string;
  firstResponseAt: string | null;
  slaDueAt: string | null;
}

/**
 * Since when the customer has been waiting, epoch ms, or null when nothing is owed: the conversation is not open or
 * we spoke last. As the server's work order counts it (conversations.repository awaitingResponse): since the
 * conversation opened for a first response, since the customer's last message for a next one.
 */
export function waitingSince(c: WaitingConversation): number | null {
  if (c.status !== 'open' || c.lastMessageDirection !== 'in') return null;
  return Date.parse(c.firstResponseAt === null ? c.createdAt : c.lastMessageAt);
}

/** The response deadline, epoch ms: the SLA due time or the 15-minute horizon, whichever is sooner (work-order.ts responseDeadline). */
export function responseDeadlineOf(c: WaitingConversation): number | null {
  const since = waitingSince(c);
  if (since === null) return null;
  const horizon = since + RESPONSE_HORIZON_MINUTES * MIN;
  const due = c.slaDueAt === null ? null : Date.parse(c.slaDueAt);
  return due === null ? horizon : Math.min(due, horizon);
}

export interface HoldingReplyNudge {
  /** Whole minutes the customer has waited so far. */
  waitedMinutes: number;
  deadline: number;
  overdue: boolean;
}

/** Whether to suggest a holding reply now: the conversation waits for us and its deadline is within the lead time or past. */
export function holdingReplyNudge(c: WaitingConversation, now: number, leadMinutes = HOLDING_REPLY_LEAD_MINUTES): HoldingReplyNudge | null {
  const since = waitingSince(c);
  const deadline = responseDeadlineOf(c);
  if (since === null || deadline === null || deadline - now > leadMinutes * MIN) return null;
  return { waitedMinutes: Math.max(0, Math.floor((now - since) / MIN)), deadline, overdue: now > deadline };
}

/** A workspace macro meant as the holding reply: its name says so ("Holding reply", "Hold – looking into it"). */
export function isHoldingReplyMacro(name: string): boolean {
  return /\bholding\b|\bhold[- ]?reply\b/i.test(name);
}

/**
 * The built-in holding reply when the workspace has no macro for it, by channel: short enough for any platform limit
 * (an X reply, an SMS segment), a little more formal for e-mail, no personal data and nothing promised but a return.
 */
export function defaultHoldingReply(platform: string | null): string {
  switch (platform) {
    case 'email':
      return 'Hello,\n\nThank you for your message. We are looking into it now and will get back to you with a full answer shortly.\n\nKind regards';
    case 'sms':
    case 'phone':
      return "Thanks for your message, we're on it and will be back to you shortly.";
    case 'x':
    case 'bluesky':
    case 'mastodon':
    case 'threads':
      return "Thanks, we're on it — back to you shortly.";
    default:
      return "Thanks for your message, we're looking into it now and will be back to you shortly with a full answer.";
  }
}
