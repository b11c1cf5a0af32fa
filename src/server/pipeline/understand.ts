import type { Classifier } from '../classifier/types.js';
import { understandTexts, type TextToUnderstand, type UnderstoodFields } from '../classifier/understand-fields.js';
import type { JobHandler } from '../jobs/definitions.js';
import { mergeMessageIds } from '../jobs/definitions.js';
import type { MessageClassification } from '../repositories/messages.repository.js';
import type { StoredForUnderstanding } from './ingest.js';

/** Classifies off the worker's thread (the classifier thread); a rejection means "do it yourself". */
export interface OffThreadUnderstanding {
  understand(items: readonly TextToUnderstand[]): Promise<UnderstoodFields[]>;
}

export interface UnderstandStage extends JobHandler<'pipeline.understand'> {
  /**
   * Messages just acknowledged, to classify on the classifier thread while they wait for their job: by the time the
   * job runs its results are usually there, and the transaction only writes them.
   */
  ahead(messages: readonly StoredForUnderstanding[]): void;
  /** Drops results computed ahead (the models were reloaded). */
  forget(): void;
}

/** Results computed ahead are kept at most this long and for at most this many messages, then dropped unused. */
const AHEAD_MAX_MESSAGES = 20_000;
const AHEAD_MAX_AGE_MS = 60_000;
/** Messages per request to the classifier thread: a few milliseconds of its work, so results flow back steadily. */
const AHEAD_CHUNK = 250;

interface Ahead {
  text: string;
  subject: string | null;
  at: number;
  fields: UnderstoodFields | null;
  pending: Promise<void> | null;
}

/**
 * Language, sentiment, intent, urgency, spam, escalation and PII for a batch, recorded with the model version.
 * With a classifier thread, the classifying happens there before the transaction (`ahead` at acknowledgement, or
 * `prepare` for messages it has not seen); the transaction re-reads each text and uses a result only if it was
 * computed from that same text and subject (an edit or an erasure in between is classified again, here).
 */
export const createUnderstandStage = (deps: { classifier: Classifier; offThread?: OffThreadUnderstanding }): UnderstandStage => {
  const computed = new Map<string, Ahead>();

  const evictOld = (now: number): void => {
    for (const [id, entry] of computed) {
      if (now - entry.at < AHEAD_MAX_AGE_MS && computed.size <= AHEAD_MAX_MESSAGES) break;
      computed.delete(id);
    }
  };

  const submit = (messages: readonly StoredForUnderstanding[]): void => {
    const offThread = deps.offThread;
    if (!offThread) return;
    const now = Date.now();
    evictOld(now);
    const fresh = messages.filter((m) => !computed.has(m.id)).slice(0, Math.max(0, AHEAD_MAX_MESSAGES - computed.size));
    for (let i = 0; i < fresh.length; i += AHEAD_CHUNK) {
      const part = fresh.slice(i, i + AHEAD_CHUNK);
      const entries = part.map((m): Ahead => ({ text: m.text, subject: m.subject, at: now, fields: null, pending: null }));
      const pending = offThread.understand(part).then(
        (rows) => {
          entries.forEach((entry, j) => {
            entry.fields = rows[j] ?? null;
            entry.pending = null;
          });
        },
        () => {
          // The thread is gone or was reloaded: these are classified in the transaction instead.
          part.forEach((m, j) => {
            if (computed.get(m.id) === entries[j]) computed.delete(m.id);
          });
        },
      );
      part.forEach((m, j) => {
        entries[j]!.pending = pending;
        computed.set(m.id, entries[j]!);
      });
    }
  };

  return {
    type: 'pipeline.understand',
    // Idempotent (each message's stage marker); what it does leaves the store only through later jobs (see JobHandler.redoable).
    redoable: true,
    merge: mergeMessageIds,
    ahead: submit,
    forget: () => computed.clear(),
    async prepare({ messageIds }, repos) {
      if (!deps.offThread) return;
      const unseen = messageIds.filter((id) => !computed.has(id));
      // After a restart, or for messages another process acknowledged, nothing was sent ahead: read and send them now.
      if (unseen.length > 0) submit(await repos.messages.textsToUnderstand(unseen));
      const waits = new Set<Promise<void>>();
      for (const id of messageIds) {
        const pending = computed.get(id)?.pending;
        if (pending) waits.add(pending);
      }
      await Promise.all(waits);
    },
    async handle({ messageIds }, ctx) {
      // The rows correlate reads, not only the texts: chained (nearly every batch), they are handed to it with the
      // results, and it reads nothing again. Those past 'ingested' were understood already.
      const messages = (await ctx.repos.messages.forPipeline(messageIds, { withClassifications: false })).filter((m) => m.stage === 'ingested');
      const fields: (UnderstoodFields | null)[] = messages.map((m) => {
        const entry = computed.get(m.id);
        return entry?.fields && entry.text === m.text && entry.subject === m.subject ? entry.fields : null;
      });
      for (const id of messageIds) computed.delete(id);
      if (messages.length === 0) return;
      const missing = messages.filter((_, i) => fields[i] === null);
      if (missing.length > 0) {
        const here = understandTexts(deps.classifier, missing);
        let k = 0;
        for (let i = 0; i < fields.length; i += 1) if (fields[i] === null) fields[i] = here[k++]!;
      }
      const results = messages.map((m, i): MessageClassification => ({ id: m.id, ...fields[i]! }));
      // Chained, correlate writes these with its own results (one update of each message instead of two).
      if (!ctx.handOver?.('pipeline.correlate', { understood: new Map(results.map((r) => [r.id, r])), messages })) await ctx.repos.messages.saveClassifications(results);
      await ctx.enqueue('pipeline.correlate', { messageIds: messages.map((m) => m.id) });
    },
  };
};
