import type { TextToUnderstand } from '../classifier/understand-fields.js';
import type { Envelope } from '../../shared/envelope.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { Deletion } from '../connectors/port.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';
import type { NewMessage } from '../repositories/messages.repository.js';

export interface IngestResult {
  accepted: number;
  duplicates: number;
  edited: number;
  deleted: number;
  messageIds: string[];
}

/** A message just stored, as the understand stage reads it. */
export type StoredForUnderstanding = { id: string } & TextToUnderstand;

export interface IngestOptions {
  uow: UnitOfWork;
  clock: Clock;
  /** Called after commit with the messages stored: wakes the worker, feeds ingest metrics, classifies ahead. */
  onIngested?(messages: readonly StoredForUnderstanding[]): void;
}

const toNewMessage = (e: Envelope, receivedAt: number, ownAccountIds: ReadonlySet<string>): NewMessage => ({
  id: newId(),
  channelId: e.channelId,
  externalId: e.externalId,
  direction: ownAccountIds.has(e.author.platformId) ? 'out' : 'in',
  kind: e.kind,
  visibility: e.visibility,
  author: {
    platformId: e.author.platformId,
    handle: e.author.handle ?? null,
    displayName: e.author.displayName ?? null,
    followers: e.author.followers ?? 0,
    verified: e.author.verified ?? false,
    email: e.author.email ?? null,
    phone: e.author.phone ?? null,
  },
  text: e.text,
  html: e.html ?? null,
  subject: e.subject ?? null,
  attachments: e.attachments,
  inReplyTo: e.inReplyTo ?? null,
  threadKey: e.threadKey ?? null,
  url: e.url ?? null,
  listening: e.listening ?? false,
  createdAt: Date.parse(e.createdAt),
  receivedAt,
  editedAt: e.editedAt ? Date.parse(e.editedAt) : null,
  raw: e.raw === undefined ? null : JSON.stringify(e.raw),
  stage: 'ingested',
});

/** The understand job one ingest keeps adding acknowledged messages to, until a worker claims it. */
interface UnderstandJob {
  id: string;
  messageIds: string[];
}

/**
 * Most messages one understand job collects from successive acknowledgements. Each addition rewrites the job's
 * payload (about 28 bytes an id): kept small, the row stays within one page even when no worker claims it for a while
 * (a worker in another process polls).
 */
const MAX_JOB_MESSAGES = 64;

/** How stale a channel's stored last-event time may be while events keep arriving. */
export const EVENT_STAMP_INTERVAL_MS = 1000;

/**
 * The only way messages enter Parley: validate channels, dedupe on (channel, externalId), persist and
 * enqueue the understand stage in one transaction. When this resolves the messages are durable.
 */
export const createIngest = (options: IngestOptions) => {
  const { uow, clock } = options;

  interface Call {
    envelopes: readonly Envelope[];
    deletions: readonly Deletion[];
  }

  // The understand job this ingest enqueued last, as committed. Until a worker claims it, later acknowledgements add
  // their messages to it instead of each inserting a job of its own: at 1,000 one-message requests a second that was
  // a job row per request (with its two index entries) written, claimed and deleted again for each.
  let openJob: UnderstandJob | null = null;
  const enqueueUnderstand = async (repos: Repositories, messageIds: string[], now: number): Promise<UnderstandJob> => {
    const open = openJob;
    if (open && open.messageIds.length + messageIds.length <= MAX_JOB_MESSAGES) {
      const extended = [...open.messageIds, ...messageIds];
      if (await repos.jobs.extendUnclaimed(open.id, JSON.stringify({ messageIds: extended }), now)) return { id: open.id, messageIds: extended };
    }
    const job = { id: newId(), messageIds };
    await repos.jobs.enqueue([{ id: job.id, type: 'pipeline.understand', payload: JSON.stringify({ messageIds }), runAt: now }], now);
    return job;
  };

  /** Stores several calls in one transaction and answers each with its own result. */
  const store = async (calls: readonly Call[]): Promise<{ results: IngestResult[]; stored: StoredForUnderstanding[] }> => {
    const { results, stored, understandJob } = await storeInTransaction(calls);
    // Only once committed: a rolled-back extension left the job as it was.
    if (understandJob) openJob = understandJob;
    return { results, stored };
  };

  const storeInTransaction = (calls: readonly Call[]): Promise<{ results: IngestResult[]; stored: StoredForUnderstanding[]; understandJob: UnderstandJob | null }> =>
    uow(async (repos) => {
      const now = clock.now();
      const envelopes = calls.flatMap((c) => c.envelopes);
      const deletions = calls.flatMap((c) => c.deletions);
      const channelIds = [...new Set([...envelopes.map((e) => e.channelId), ...deletions.map((d) => d.channelId)])];
      const channels = new Map((await repos.channels.getMany(channelIds)).map((c) => [c.id, c]));
      envelopes.forEach((e, i) => {
        const channel = channels.get(e.channelId);
        if (!channel || channel.status === 'removed') throw new AppError('channel_not_found', `channel ${e.channelId} does not exist`, `envelopes[${i}].channelId`);
      });

      // Edits: a newer version of a message we already hold replaces its text (the raw keeps the new payload).
      const editedKeys = new Set<string>();
      const editable = envelopes.filter((e) => e.editedAt);
      for (const channelId of new Set(editable.map((e) => e.channelId))) {
        const inChannel = editable.filter((e) => e.channelId === channelId);
        const existing = new Map((await repos.messages.findByExternalIds(channelId, inChannel.map((e) => e.externalId))).map((m) => [m.externalId, m]));
        for (const e of inChannel) {
          const stored = existing.get(e.externalId);
          const editedAt = Date.parse(e.editedAt as string);
          if (stored && (stored.editedAt === null || stored.editedAt < editedAt)) {
            await repos.messages.updateEdit(stored.id, e.text, editedAt, e.raw === undefined ? null : JSON.stringify(e.raw));
            stored.editedAt = editedAt;
            editedKeys.add(`${channelId}\u0000${e.externalId}`);
          }
        }
      }

      // One row per (channel, externalId); remember which call brought it to count per call.
      const fresh: NewMessage[] = [];
      const owner = new Map<string, number>();
      const seen = new Set<string>();
      calls.forEach((call, c) => {
        for (const e of call.envelopes) {
          const key = `${e.channelId}\u0000${e.externalId}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const message = toNewMessage(e, now, new Set(channels.get(e.channelId)?.ownAccountIds ?? []));
          owner.set(message.id, c);
          fresh.push(message);
        }
      });
      const inserted = await repos.messages.insertMany(fresh);

      const deletedPerCall = calls.map(() => 0);
      for (const [c, call] of calls.entries()) for (const d of call.deletions) if (await repos.messages.tombstone(d.channelId, d.externalId, now)) deletedPerCall[c]! += 1;

      let understandJob: UnderstandJob | null = null;
      if (inserted.length > 0) {
        understandJob = await enqueueUnderstand(repos, inserted, now);
        // A channel's last event feeds its health and the silence gauge, both read in seconds: written at most once
        // a second, so a busy channel's row is not rewritten in the commit of every acknowledgement.
        for (const channelId of channelIds) {
          const last = channels.get(channelId)?.lastEventAt ?? null;
          if (last === null || now - last >= EVENT_STAMP_INTERVAL_MS || now < last) await repos.channels.recordEvent(channelId, now);
        }
      }
      const results = calls.map((call, c) => {
        const messageIds = inserted.filter((id) => owner.get(id) === c);
        const edited = call.envelopes.filter((e) => editedKeys.has(`${e.channelId}\u0000${e.externalId}`)).length;
        return { accepted: messageIds.length, duplicates: call.envelopes.length - messageIds.length - edited, edited, deleted: deletedPerCall[c]!, messageIds };
      });
      const byId = new Map(fresh.map((m) => [m.id, m]));
      const stored = inserted.map((id) => {
        const m = byId.get(id)!;
        return { id, text: m.text, subject: m.subject };
      });
      return { results, stored, understandJob };
    });

  // Group commit: calls that arrive while a transaction is open, or in the same event-loop turn, are stored
  // together, so a burst of small requests costs one commit per batch; a lone call waits one turn at most.
  const queue: { call: Call; resolve(result: IngestResult): void; reject(error: unknown): void }[] = [];
  let flushing = false;
  const maxGroupEnvelopes = 1000;
  const idleWaiters: (() => void)[] = [];

  const flush = async (): Promise<void> => {
    flushing = true;
    // The embedded store answers within microtasks, so without this turn every request would commit alone:
    // one macrotask lets requests that are already read (concurrent webhooks, API calls) join this commit.
    // (A 2 ms window under steady traffic was tried: it halved webhook throughput at 16 deliveries in flight and
    // did not measurably help acknowledgements at 1,000/s.)
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (queue.length > 0) {
      const group = [queue.shift()!];
      let size = group[0]!.call.envelopes.length;
      while (queue.length > 0 && size + queue[0]!.call.envelopes.length <= maxGroupEnvelopes) {
        const next = queue.shift()!;
        size += next.call.envelopes.length;
        group.push(next);
      }
      try {
        const { results, stored } = await store(group.map((g) => g.call));
        group.forEach((g, i) => g.resolve(results[i]!));
        if (stored.length > 0) options.onIngested?.(stored);
      } catch (error) {
        if (group.length === 1) {
          group[0]!.reject(error);
          continue;
        }
        // A bad call must fail alone, with field paths that point into its own batch.
        for (const g of group) {
          try {
            const { results, stored } = await store([g.call]);
            g.resolve(results[0]!);
            if (stored.length > 0) options.onIngested?.(stored);
          } catch (single) {
            g.reject(single);
          }
        }
      }
    }
    flushing = false;
    for (const wake of idleWaiters.splice(0)) wake();
  };

  /** Resolves when no call is waiting to be stored (at once when none is). */
  const settled = (): Promise<void> => (flushing ? new Promise<void>((resolve) => idleWaiters.push(resolve)) : Promise.resolve());

  /** Resolves once the call's messages are durable (committed with the job that carries them on). */
  const ingest = (envelopes: readonly Envelope[], deletions: readonly Deletion[] = []): Promise<IngestResult> =>
    new Promise<IngestResult>((resolve, reject) => {
      queue.push({ call: { envelopes, deletions }, resolve, reject });
      if (!flushing) void flush();
    });

  return { ingest, settled };
};

export type Ingest = ReturnType<typeof createIngest>['ingest'];
