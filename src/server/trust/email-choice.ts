import { hmacHex } from './signing.js';

/** An address as the link holder may see it: the first letter of the mailbox and the domain (j***@example.com). */
export const maskEmail = (address: string): string => {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${address[0]}***${address.slice(at)}`;
};

/**
 * The form value that stands for one known address on one link: keyed, so the page never carries the address and a
 * value from another link (or a guessed one) names nothing.
 */
export const emailChoiceId = (key: Buffer, linkId: string, address: string): string => hmacHex(key, `email-choice:${linkId}:${address}`).slice(0, 20);
