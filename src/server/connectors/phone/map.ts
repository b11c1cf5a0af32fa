import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import type { Envelope } from '../../../shared/envelope.js';

const isoDate = z.iso.datetime({ offset: true });

const callSchema = z.object({
  type: z.literal('call'),
  callId: z.string().min(1).max(128),
  from: z.string().min(1).max(64),
  to: z.string().max(64).optional(),
  callerName: z.string().max(200).optional(),
  direction: z.enum(['inbound', 'outbound']).default('inbound'),
  status: z.enum(['answered', 'missed', 'voicemail', 'busy', 'failed']),
  startedAt: isoDate,
  durationSeconds: z.number().int().min(0).max(86_400).default(0),
  agent: z.string().max(200).optional(),
  notes: z.string().max(20_000).optional(),
  /** STIR/SHAKEN attestation of the caller id, when the carrier passes it on. */
  attestation: z.enum(['A', 'B', 'C']).optional(),
});

const voicemailSchema = z.object({
  type: z.literal('voicemail'),
  callId: z.string().min(1).max(128),
  from: z.string().min(1).max(64),
  callerName: z.string().max(200).optional(),
  recordedAt: isoDate,
  durationSeconds: z.number().int().min(0).max(86_400).default(0),
  transcript: z.string().max(50_000).default(''),
  recordingUrl: z.url().max(4096).optional(),
  attestation: z.enum(['A', 'B', 'C']).optional(),
});

const eventSchema = z.discriminatedUnion('type', [callSchema, voicemailSchema]);
/** One event, or `{ "events": [...] }` for a batch. */
export const phonePayloadSchema = z.union([z.object({ events: z.array(eventSchema).min(1).max(500) }), eventSchema]);
export type PhoneEvent = z.infer<typeof eventSchema>;

const withheld = /^(anonymous|private|restricted|unknown|withheld|unavailable)$/i;

/** E.164 ("+16505551234") of a caller id, or null for a withheld or unreadable one. */
export const callerNumber = (raw: string, defaultCountry?: string): string | null => {
  if (withheld.test(raw.trim())) return null;
  const parsed = parsePhoneNumberFromString(raw.trim(), defaultCountry as CountryCode | undefined);
  return parsed?.isValid() ? parsed.number : null;
};

const displayNumber = (e164: string): string => parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;

const duration = (seconds: number): string => (seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`);

const callText = (event: z.infer<typeof callSchema>, caller: string): string => {
  const head =
    event.status === 'answered'
      ? `Call from ${caller}, answered${event.agent ? ` by ${event.agent}` : ''}, ${duration(event.durationSeconds)}.`
      : event.status === 'voicemail'
        ? `Call from ${caller} went to voicemail.`
        : event.status === 'missed'
          ? `Missed call from ${caller}.`
          : `Call from ${caller} could not be connected (${event.status}).`;
  return event.notes ? `${head}\n\n${event.notes}` : head;
};

export interface PhoneMapOptions {
  channelId: string;
  defaultCountry?: string;
  callerIdVerified: boolean;
}

/**
 * A call log or voicemail as an Envelope: private, authored by the caller's E.164 number, threaded by caller
 * (`caller:<number>`) with a voicemail answering its call. The number is a verified contact only when the channel
 * or the carrier's attestation vouches for it; otherwise it stays the identity's id and links by suggestion.
 */
export const mapPhoneEvent = (event: PhoneEvent, options: PhoneMapOptions): Envelope | null => {
  if (event.type === 'call' && event.direction === 'outbound') return null;
  const number = callerNumber(event.from, options.defaultCountry);
  const caller = number ? displayNumber(number) : 'a withheld number';
  const isVerified = number !== null && (options.callerIdVerified || event.attestation === 'A');
  const author = {
    platformId: number ?? `withheld:${event.callId}`,
    handle: number ? caller : null,
    displayName: event.callerName ?? null,
    phone: isVerified ? number : null,
  };
  const threadKey = number ? `caller:${number}` : `call:${event.callId}`;
  if (event.type === 'call') {
    return { channelId: options.channelId, externalId: `call:${event.callId}`, kind: 'call', visibility: 'private', author, text: callText(event, caller), attachments: [], threadKey, createdAt: event.startedAt, raw: event };
  }
  const text = event.transcript.trim() || `Voicemail from ${caller} without a transcript (${duration(event.durationSeconds)}).`;
  return {
    channelId: options.channelId,
    externalId: `voicemail:${event.callId}`,
    kind: 'call',
    visibility: 'private',
    author,
    text,
    subject: `Voicemail from ${caller}`,
    attachments: event.recordingUrl ? [{ url: event.recordingUrl, contentType: 'audio/*', name: `voicemail-${event.callId}` }] : [],
    inReplyTo: `call:${event.callId}`,
    threadKey,
    createdAt: event.recordedAt,
    raw: event,
  };
};
