import { detectPii } from '../../shared/pii/index.js';
import type { Classifier } from '../classifier/types.js';
import type { JobHandler } from '../jobs/definitions.js';
import { mergeMessageIds } from '../jobs/definitions.js';

/** Language, sentiment, intent, urgency, spam, escalation and PII for a batch, recorded with the model version. */
export const createUnderstandStage = (deps: { classifier: Classifier }): JobHandler<'pipeline.understand'> => ({
  type: 'pipeline.understand',
  merge: mergeMessageIds,
  async handle({ messageIds }, ctx) {
    const messages = await ctx.repos.messages.textsToUnderstand(messageIds);
    if (messages.length === 0) return;
    const results = deps.classifier.classify(messages.map((m) => (m.subject ? `${m.subject}\n${m.text}` : m.text)));
    await ctx.repos.messages.saveClassifications(
      messages.map((m, i) => {
        const c = results[i]!;
        const pii = detectPii(m.text);
        return {
          id: m.id,
          language: c.language,
          sentiment: c.sentiment.label,
          sentimentScore: c.sentiment.scores.positive - c.sentiment.scores.negative,
          intent: c.intent.label,
          intentScore: c.intent.score,
          urgency: c.urgency,
          needsResponse: c.needsResponse,
          spam: c.spam,
          classifications: JSON.stringify({ ...c, pii }),
          modelVersion: c.modelVersion,
        };
      }),
    );
    await ctx.enqueue('pipeline.correlate', { messageIds: messages.map((m) => m.id) });
  },
});
