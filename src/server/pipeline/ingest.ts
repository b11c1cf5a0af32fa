import type { Envelope } from '../../shared/envelope.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { Deletion } from '../connectors/port.js';
import type { UnitOfWork } from '../repositories/index.js';
import type { NewMessage } from '../repositories/messages.repository.js';

export interface IngestResult {
  accepted: number;
  duplicates: number;
  edited: number;
  deleted: number;
  messageIds: string[];
}

export interface IngestOptions {
  uow: UnitOfWork;
  clock: Clock;
  /** Called after commit: wakes the worker and feeds ingest metrics. */
  onIngested?(count: number): void;
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

/**
 * The only way messages enter Parley: validate channels, dedupe on (channel, externalId), persist and
 * enqueue the understand stage in one transaction. When this resolves the messages are durable.
 */
export const createIngest = (options: IngestOptions) => {
  const { uow, clock } = options;

  const ingest = async (envelopes: readonly Envelope[], deletions: readonly Deletion[] = []): Promise<IngestResult> => {
    const result = await uow(async (repos) => {
      const now = clock.now();
      const channelIds = [...new Set([...envelopes.map((e) => e.channelId), ...deletions.map((d) => d.channelId)])];
      const channels = new Map((await repos.channels.getMany(channelIds)).map((c) => [c.id, c]));
      envelopes.forEach((e, i) => {
        const channel = channels.get(e.channelId);
        if (!channel || channel.status === 'removed') throw new AppError('channel_not_found', `channel ${e.channelId} does not exist`, `envelopes[${i}].channelId`);
      });

      // Edits: a newer version of a message we already hold replaces its text (the raw keeps the new payload).
      let edited = 0;
      const editable = envelopes.filter((e) => e.editedAt);
      for (const channelId of new Set(editable.map((e) => e.channelId))) {
        const inChannel = editable.filter((e) => e.channelId === channelId);
        const existing = new Map((await repos.messages.findByExternalIds(channelId, inChannel.map((e) => e.externalId))).map((m) => [m.externalId, m]));
        for (const e of inChannel) {
          const stored = existing.get(e.externalId);
          const editedAt = Date.parse(e.editedAt as string);
          if (stored && (stored.editedAt === null || stored.editedAt < editedAt)) {
            await repos.messages.updateEdit(stored.id, e.text, editedAt, e.raw === undefined ? null : JSON.stringify(e.raw));
            edited += 1;
          }
        }
      }

      const fresh: NewMessage[] = [];
      const seen = new Set<string>();
      for (const e of envelopes) {
        const key = `${e.channelId}\u0000${e.externalId}`;
        if (seen.has(key)) continue;
        seen.add(key);
        fresh.push(toNewMessage(e, now, new Set(channels.get(e.channelId)?.ownAccountIds ?? [])));
      }
      const inserted = await repos.messages.insertMany(fresh);

      let deleted = 0;
      for (const d of deletions) if (await repos.messages.tombstone(d.channelId, d.externalId, now)) deleted += 1;

      if (inserted.length > 0) {
        await repos.jobs.enqueue([{ id: newId(), type: 'pipeline.understand', payload: JSON.stringify({ messageIds: inserted }), runAt: now }], now);
        for (const channelId of channelIds) await repos.channels.recordEvent(channelId, now);
      }
      return { accepted: inserted.length, duplicates: envelopes.length - inserted.length - edited, edited, deleted, messageIds: inserted };
    });
    if (result.accepted > 0) options.onIngested?.(result.accepted);
    return result;
  };

  return { ingest };
};

export type Ingest = ReturnType<typeof createIngest>['ingest'];
