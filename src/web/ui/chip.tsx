import type { ReactNode } from 'react';

export type Tone = 'neutral' | 'good' | 'warn' | 'bad' | 'info' | 'urgent';

/** A small labelled badge; the tone is colour plus text, never colour alone. */
export const Chip = ({ tone = 'neutral', title, children }: { tone?: Tone; title?: string; children: ReactNode }) => (
  <span className={`chip chip-${tone}`} title={title}>
    {children}
  </span>
);

export const sentimentTone = (label: string | null | undefined): Tone => (label === 'negative' ? 'bad' : label === 'positive' ? 'good' : 'neutral');

export const bandTone = (band: string): Tone => (band === 'urgent' ? 'urgent' : band === 'high' ? 'warn' : band === 'low' ? 'neutral' : 'info');
