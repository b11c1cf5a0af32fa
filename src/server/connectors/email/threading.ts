/** Email threading rules of CONNECTORS.md §6.2, pure: the store is reached through the lookups the caller passes. */

/** `<id@host>` with brackets, trimmed; a bare id gains brackets. Null for empty input. */
export function normalizeMessageId(value: string | null | undefined): string | null {
  if (!value) return null;
  const trimmed = value.trim();
  const inner = /<([^>]+)>/.exec(trimmed)?.[1] ?? trimmed.split(/\s+/)[0] ?? '';
  return inner ? `<${inner.trim()}>` : null;
}

/** mailparser gives a string for one reference and an array for several; either may hold several ids. */
export function normalizeReferences(value: string | string[] | null | undefined): string[] {
  const parts = Array.isArray(value) ? value : value ? [value] : [];
  const ids = parts.flatMap((part) => part.match(/<[^>]+>/g) ?? (part.trim() ? [part.trim()] : []));
  return [...new Set(ids.map(normalizeMessageId).filter((id): id is string => id !== null))];
}

/** Subject without any number of `Re:`, `Fwd:`, `AW:`, `Re[2]:` prefixes or a `[list]` tag, lower-cased, spaces collapsed. */
export function normalizeSubject(subject: string | null | undefined): string {
  let s = (subject ?? '').trim();
  for (;;) {
    const next = s.replace(/^(?:(?:re|fw|fwd|aw|wg|sv|vs|antw|tr)(?:\[\d+\]|\(\d+\))?\s*:|\[[^\]]{1,40}\])\s*/i, '');
    if (next === s) break;
    s = next;
  }
  return s.replace(/\s+/g, ' ').toLowerCase();
}

/** Adds `Re: ` once to answer a subject. */
export function replySubject(subject: string | null | undefined): string {
  const s = (subject ?? '').trim();
  return /^re\s*:/i.test(s) ? s : `Re: ${s}`.trim();
}

export interface EmailThreadHeaders {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  subject: string | null;
}

/** Thread key from the headers alone: the root of the References chain, else the parent, else the message itself. */
export function emailThreadKey(headers: EmailThreadHeaders): string | null {
  return headers.references[0] ?? headers.inReplyTo ?? headers.messageId;
}

export interface EmailThreadLookup {
  /** The thread key and first subject of the conversation holding a stored (inbound or outbound) Message-ID. */
  byMessageId(messageId: string): { threadKey: string; subject: string | null } | null;
  /** An open conversation with the same correspondent and normalised subject, for mail that lost its headers. */
  bySubject?(normalizedSubject: string): { threadKey: string } | null;
}

/**
 * Which conversation a mail belongs to: a known In-Reply-To or References id wins when the subjects agree
 * (so a new topic that quotes an old mail does not merge into it); then the normalised subject; else a new thread.
 */
export function resolveEmailThread(headers: EmailThreadHeaders, lookup: EmailThreadLookup): { threadKey: string; matchedBy: 'header' | 'subject' | 'new' } {
  const subject = normalizeSubject(headers.subject);
  const candidates = [headers.inReplyTo, ...[...headers.references].reverse()].filter((id): id is string => id !== null);
  for (const id of candidates) {
    const found = lookup.byMessageId(id);
    if (found && (found.subject === null || subject === '' || normalizeSubject(found.subject) === subject)) return { threadKey: found.threadKey, matchedBy: 'header' };
  }
  if (subject !== '' && lookup.bySubject) {
    const found = lookup.bySubject(subject);
    if (found) return { threadKey: found.threadKey, matchedBy: 'subject' };
  }
  return { threadKey: emailThreadKey(headers) ?? `subject:${subject}`, matchedBy: 'new' };
}
