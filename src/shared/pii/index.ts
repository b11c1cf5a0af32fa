export { detectPii } from './detect-pii.js';
export { checkReply } from './check-reply.js';
export type { CheckReplyOptions, CheckReplyResult } from './check-reply.js';
export { redactPii } from './redact.js';
export { DEFAULT_NATIONAL_ID_PATTERNS } from './national-id.js';
export { DEFAULT_ACCOUNT_PATTERNS, DEFAULT_ORDER_PATTERNS } from './reference-numbers.js';
export { isLuhnValid, isIbanChecksumValid } from './checksums.js';
export type { PiiFinding, PiiOptions, PiiPattern, PiiType, NationalIdPattern } from './types.js';
