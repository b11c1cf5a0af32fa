import { hmacHex } from './signing.js';

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The code a customer sends by private message to prove they own the handle that posted. It is derived from the
 * browser's nonce, so only the browser that asked can show it and be let in once it arrives; nothing is stored but
 * the nonce's hash.
 */
export const dmProofCode = (signingKey: Buffer, linkId: string, nonce: string): string => {
  const digest = Buffer.from(hmacHex(signingKey, `dm-proof:${linkId}:${nonce}`), 'hex');
  return `PV${[...digest.subarray(0, 8)].map((b) => alphabet[b % 32]).join('')}`;
};

/** Whether a private message carries the code, ignoring case, spaces and punctuation a phone keyboard may add. */
export const carriesDmProofCode = (text: string, code: string): boolean => text.toUpperCase().replace(/[^0-9A-Z]/g, '').includes(code);

