import type { Repositories } from '../repositories/index.js';
import type { FoldedActivity, OpeningConversation } from '../repositories/conversations.repository.js';
import type { MessageClassification, MessageCorrelation, PipelineMessage } from '../repositories/messages.repository.js';

/** Every job type and its payload: the queue is typed end to end. */
export interface JobPayloads {
  'pipeline.understand': { messageIds: string[] };
  'pipeline.correlate': { messageIds: string[] };
  'pipeline.decide': { messageIds: string[] };
}

export type JobType = keyof JobPayloads;

/**
 * What a stage may hand to the next one when both run in one transaction (see JobContext.handOver): the understand
 * stage's results, by message id, which correlate then writes with its own in one update of each message, with the
 * message rows understand read (correlate would read the same rows again); and
 * correlate's messages as it left them (what decide would read back), in its order, with the conversations it
 * opened, the correlations it made and the activity of the conversations it added to, left for decide to write
 * with its decisions.
 */
export interface JobHandOvers {
  'pipeline.correlate': {
    /** Understand's results by message id, unwritten. */
    understood: ReadonlyMap<string, MessageClassification>;
    /** The messages understand read in this transaction, as the store holds them ('ingested'): correlate's rows. */
    messages: readonly PipelineMessage[];
  };
  'pipeline.decide': {
    messages: readonly PipelineMessage[];
    opening: readonly OpeningConversation[];
    unsaved: readonly (MessageCorrelation & { understood: MessageClassification })[];
    /** The list-row activity of conversations the store holds, left for decide to write with its decisions. */
    folded: ReadonlyMap<string, FoldedActivity>;
  };
}

export interface JobContext {
  repos: Repositories;
  now: number;
  enqueue<T extends JobType>(type: T, payload: JobPayloads[T], runAt?: number): Promise<void>;
  /** Runs after the job's transaction commits (live updates, wake-ups). */
  afterCommit(effect: () => void): void;
  /**
   * Hands results to the follow-up of `type` instead of writing them for it to read back, when that stage runs next
   * in this same transaction (chained): then it returns true, the follow-up must be enqueued now, and the worker
   * fails the transaction if the next stage does not take them. It returns false (write them yourself) when the
   * follow-up will run as a job of its own, and is absent where nothing is chained.
   */
  handOver?<T extends keyof JobHandOvers>(type: T, value: JobHandOvers[T]): boolean;
  /** What the stage before this one in the same transaction handed over, if anything; taking it is saying it is written. */
  takeOver?<T extends keyof JobHandOvers>(type: T): JobHandOvers[T] | undefined;
}

export interface JobHandler<T extends JobType> {
  type: T;
  /** Payloads of several claimed jobs merged into one, so one transaction does a whole batch. */
  merge?(payloads: JobPayloads[T][]): JobPayloads[T];
  /**
   * Work done before the transaction and outside it (classifying on another thread), so the transaction only
   * writes. It may only read: `handle` must not rely on it having run, nor on what it read still holding.
   */
  prepare?(payload: JobPayloads[T], repos: Repositories): Promise<void>;
  handle(payload: JobPayloads[T], ctx: JobContext): Promise<void>;
  /**
   * The job's work may be lost after its commit, in an OS crash or power loss, and done again: it is idempotent, and
   * nothing it does reaches anyone outside the store except through a later transaction (a job or outbox claim) whose
   * commit waits for the log to reach disk, and so for this one's too. On PostgreSQL its commit then does not wait
   * for the disk itself; its own job row, restored with the rest, runs it again. (SQLite at synchronous=NORMAL
   * commits every transaction that way.)
   */
  redoable?: boolean;
}

export type AnyJobHandler = { [T in JobType]: JobHandler<T> }[JobType];

export const mergeMessageIds = (payloads: { messageIds: string[] }[]): { messageIds: string[] } => ({
  messageIds: [...new Set(payloads.flatMap((p) => p.messageIds))],
});
