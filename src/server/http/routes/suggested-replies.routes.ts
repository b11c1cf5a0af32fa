import { z } from 'zod';
import { idSchema } from '../../../shared/api.js';
import type { SuggestedRepliesService } from '../../services/suggested-replies.service.js';
import type { App } from '../types.js';

const suggestionSchema = z.union([
  z.object({ kind: z.literal('macro'), macroId: z.string(), name: z.string(), score: z.number(), why: z.string() }),
  z.object({ kind: z.literal('reply'), text: z.string(), uses: z.number(), score: z.number(), why: z.string() }),
]);

/** Suggested replies for the composer: fitting macros and what the team often answered to the same intent. */
export const registerSuggestedRepliesRoutes = (app: App, deps: { suggestions: SuggestedRepliesService }) => {
  app.get('/api/v1/conversations/:id/suggested-replies', {
    config: { auth: 'macros:use' },
    schema: {
      tags: ['macros'],
      summary: "Replies to suggest for the customer's last message, best first, each with why",
      params: z.strictObject({ id: idSchema }),
      querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(10).default(5) }),
      response: { 200: z.object({ basedOn: z.object({ messageId: z.string(), intent: z.string().nullable() }).nullable(), items: z.array(suggestionSchema) }) },
    },
  }, async (request) => deps.suggestions.forConversation(request.params.id, request.query.limit));
};
