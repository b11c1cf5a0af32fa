import { existsSync, rmSync } from 'node:fs';
import type { Actor } from '../../shared/permissions.js';
import { trainCustomIntents, type IntentExample } from '../classifier/training/train-custom.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';
import { recordAudit } from './audit.js';

export const correctableFields = ['sentiment', 'intent', 'urgency', 'spam', 'language'] as const;
export type CorrectableField = (typeof correctableFields)[number];

const allowed: Partial<Record<CorrectableField, readonly string[]>> = {
  sentiment: ['negative', 'neutral', 'positive'],
  urgency: ['low', 'normal', 'high', 'critical'],
  spam: ['true', 'false'],
};

/**
 * Agents correct labels (kept as training data for the next `parley train`, and shown instead of the model's
 * label); admins teach Parley their own intents, which the running classifier picks up at once.
 */
export const createClassificationService = (deps: { repos: Repositories; uow: UnitOfWork; clock: Clock; customIntentModelPath: string; reloadClassifier: () => void }) => {
  const { repos, uow, clock } = deps;
  return {
    async correct(messageId: string, input: { field: CorrectableField; value: string }, actor: Actor) {
      const options = allowed[input.field];
      if (options && !options.includes(input.value)) throw new AppError('validation_failed', `${input.field} must be one of ${options.join(', ')}`, 'value');
      const value = input.value.trim().toLowerCase();
      if (!/^[a-z0-9_:-]{1,64}$/.test(value)) throw new AppError('validation_failed', 'a label is 1–64 letters, digits, _ : or -', 'value');
      return uow(async (tx) => {
        const message = await tx.messages.get(messageId);
        if (!message) throw new AppError('message_not_found', `no message ${messageId}`);
        const raw = (message.classification ?? {})[input.field];
        const previous = raw === undefined || raw === null ? null : typeof raw === 'object' && 'label' in raw ? String((raw as { label: unknown }).label) : String(raw);
        const correction = { id: newId(), messageId, field: input.field, previous, value, text: message.text, modelVersion: message.modelVersion, userId: actor.userId, createdAt: clock.now() };
        await tx.corrections.add(correction);
        await tx.messages.applyCorrection(messageId, input.field, value);
        await recordAudit(tx, actor, correction.createdAt, 'message.label_corrected', { type: 'message', id: messageId }, { field: input.field, previous, value });
        return correction;
      });
    },

    list: (messageId: string) => repos.corrections.forMessage(messageId),

    /** Intent corrections as examples for `parley train`. */
    async intentExamples(): Promise<IntentExample[]> {
      return (await repos.corrections.latest('intent')).filter((c) => c.text.trim()).map((c) => ({ text: c.text, intent: c.value }));
    },

    async trainIntents(examples: readonly IntentExample[], reset: boolean, actor: Actor) {
      let result;
      try {
        result = trainCustomIntents(examples, deps.customIntentModelPath, { reset });
      } catch (error) {
        throw new AppError('validation_failed', error instanceof Error ? error.message : String(error), 'examples');
      }
      deps.reloadClassifier();
      await uow((tx) => recordAudit(tx, actor, clock.now(), 'classifier.intents_trained', { type: 'classifier', id: null }, { labels: result.labels, examples: result.examples, version: result.version, reset }));
      return { labels: result.labels, examples: result.examples, version: result.version };
    },

    async resetIntents(actor: Actor) {
      for (const file of [deps.customIntentModelPath, `${deps.customIntentModelPath}.examples.jsonl`]) if (existsSync(file)) rmSync(file);
      deps.reloadClassifier();
      await uow((tx) => recordAudit(tx, actor, clock.now(), 'classifier.intents_reset', { type: 'classifier', id: null }));
    },
  };
};

export type ClassificationService = ReturnType<typeof createClassificationService>;
