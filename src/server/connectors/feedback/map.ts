import type { Envelope } from '../../../shared/envelope.js';

export interface FeedbackSubmission {
  channelId: string;
  submissionId: string;
  name: string | null;
  email: string | null;
  topic: string;
  message: string;
  pageUrl: string | null;
  createdAt: number;
}

/**
 * A form submission as a private Envelope, one conversation per submission. The typed address is the identity
 * (so a customer's later submissions meet) and the reply address, but never a verified contact: anyone can type
 * anyone's address, so it only produces merge suggestions.
 */
export const feedbackEnvelope = (s: FeedbackSubmission): Envelope => {
  const email = s.email ? s.email.trim().toLowerCase() : null;
  return {
    channelId: s.channelId,
    externalId: `form:${s.submissionId}`,
    kind: 'form',
    visibility: 'private',
    author: { platformId: email ?? `anonymous:${s.submissionId}`, handle: email, displayName: s.name },
    text: s.message,
    subject: s.topic,
    attachments: [],
    threadKey: `form:${s.submissionId}`,
    url: s.pageUrl,
    createdAt: new Date(s.createdAt).toISOString(),
  };
};
