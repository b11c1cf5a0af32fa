import type { WebhookRequest } from '../port.js';
import { phoneSignatureHeader, phoneTimestampHeader, signPhoneDelivery } from './verify.js';
import type { PhoneEvent } from './map.js';

/** A telephony system as Parley sees it: signed POSTs of call logs and voicemails (tests and the demo). */
export const createFakeTelephony = (signingSecret: string) => {
  let counter = 0;
  return {
    nextCallId: (): string => `call-${Date.now().toString(36)}-${(counter += 1)}`,
    /** One signed delivery of `events`, timestamped `atMs` (now by default). */
    delivery(events: PhoneEvent[] | PhoneEvent, atMs: number = Date.now()): WebhookRequest {
      const rawBody = Buffer.from(JSON.stringify(Array.isArray(events) ? { events } : events));
      const timestamp = Math.floor(atMs / 1000);
      return {
        method: 'POST',
        headers: { 'content-type': 'application/json', [phoneTimestampHeader]: String(timestamp), [phoneSignatureHeader]: signPhoneDelivery(signingSecret, timestamp, rawBody) },
        query: {},
        rawBody,
      };
    },
  };
};
