import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import { api } from '../../api/client.js';
import { Chip, type Tone } from '../../ui/chip.js';
import { ErrorNotice } from '../../ui/notice.js';

export type CorrectableField = 'sentiment' | 'intent' | 'urgency' | 'spam' | 'language';

/** The default intent taxonomy (a workspace that taught its own intents can still type them through the API). */
const intents = ['account_access', 'billing', 'cancellation', 'complaint', 'how_to', 'order_delivery', 'outage', 'praise', 'privacy_security', 'product_defect', 'promotion', 'other'] as const;
const languages = ['en', 'es', 'fr', 'de', 'pt', 'it', 'nl', 'pl', 'tr', 'ar', 'hi', 'ja', 'zh', 'und'] as const;

/** The labels an agent can pick per field. */
export const labelOptions: Record<CorrectableField, readonly string[]> = {
  sentiment: ['negative', 'neutral', 'positive'],
  intent: intents,
  urgency: ['low', 'normal', 'high', 'critical'],
  spam: ['true', 'false'],
  language: languages,
};

const fieldName: Record<CorrectableField, string> = { sentiment: 'Sentiment', intent: 'Intent', urgency: 'Urgency', spam: 'Spam', language: 'Language' };

export const labelText = (field: CorrectableField, value: string): string => (field === 'spam' ? (value === 'true' ? 'spam' : 'not spam') : value.replace(/_/g, ' '));

/**
 * A classifier label as a chip that opens a small menu of the other labels: one click corrects it. The correction is
 * kept as training data and shown instead of the model's reading from then on.
 */
export const LabelMenu = ({ messageId, field, value, tone, corrected, suffix }: { messageId: string; field: CorrectableField; value: string; tone: Tone; corrected: boolean; suffix?: string }) => {
  const client = useQueryClient();
  const menu = useRef<HTMLDetailsElement>(null);
  const correct = useMutation({
    mutationFn: (label: string) => api.post(`/messages/${encodeURIComponent(messageId)}/corrections`, { field, value: label }),
    onSuccess: async () => {
      if (menu.current) menu.current.open = false;
      await client.invalidateQueries({ queryKey: ['conversation'] });
    },
  });
  return (
    <details className="menu" ref={menu}>
      <summary title="Wrong? Click to correct">
        <span className="sr-only">{fieldName[field]}: </span>
        <Chip tone={tone}>
          {labelText(field, value)}
          {suffix ?? ''}
          {corrected ? ' ✓' : ''}
        </Chip>
        <span className="sr-only">{corrected ? ' (corrected by an agent)' : ''}, change the label</span>
      </summary>
      <ul className="menu-list" aria-label={`Correct the ${fieldName[field].toLowerCase()}`}>
        {labelOptions[field].map((option) => (
          <li key={option}>
            <button type="button" aria-current={option === value ? 'true' : undefined} disabled={correct.isPending} onClick={() => correct.mutate(option)}>
              {labelText(field, option)}
            </button>
          </li>
        ))}
        {correct.error ? (
          <li>
            <ErrorNotice error={correct.error} />
          </li>
        ) : null}
      </ul>
    </details>
  );
};
