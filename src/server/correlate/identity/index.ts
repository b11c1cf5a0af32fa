export { compareIdentities } from './compare-identities.js';
export { normaliseEmail } from './normalise-email.js';
export { normalisePhone } from './normalise-phone.js';
export type { IdentityEvidence, IdentityFacts, IdentityReason, IdentityStrength } from './types.js';
