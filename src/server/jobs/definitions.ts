import type { Repositories } from '../repositories/index.js';

/** Every job type and its payload: the queue is typed end to end. */
export interface JobPayloads {
  'pipeline.understand': { messageIds: string[] };
  'pipeline.correlate': { messageIds: string[] };
  'pipeline.decide': { messageIds: string[] };
}

export type JobType = keyof JobPayloads;

export interface JobContext {
  repos: Repositories;
  now: number;
  enqueue<T extends JobType>(type: T, payload: JobPayloads[T], runAt?: number): Promise<void>;
  /** Runs after the job's transaction commits (live updates, wake-ups). */
  afterCommit(effect: () => void): void;
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
}

export type AnyJobHandler = { [T in JobType]: JobHandler<T> }[JobType];

export const mergeMessageIds = (payloads: { messageIds: string[] }[]): { messageIds: string[] } => ({
  messageIds: [...new Set(payloads.flatMap((p) => p.messageIds))],
});
