/** A brand's listening query, parsed (see parse.ts for the syntax). */
export type ListeningNode =
  /** A keyword, lower-cased; `#tag` and `@handle` keep their sigil. */
  | { type: 'term'; value: string }
  /** A quoted phrase: these words, adjacent, in order. */
  | { type: 'phrase'; value: string }
  /** `lang:xx`: the message's detected language (ISO 639-1). */
  | { type: 'lang'; value: string }
  /** `from:handle`: the author's handle, without `@`, lower-cased. */
  | { type: 'from'; value: string }
  | { type: 'and'; children: ListeningNode[] }
  | { type: 'or'; children: ListeningNode[] }
  | { type: 'not'; child: ListeningNode };

export type ListeningAtom = Extract<ListeningNode, { type: 'term' | 'phrase' | 'lang' | 'from' }>;

export interface ListeningMessage {
  text: string;
  /** ISO 639-1 (`en`) or 639-3 (`eng`); null when unknown. */
  language?: string | null;
  authorHandle?: string | null;
}

export class ListeningQueryError extends Error {
  /** Zero-based character offset in the query where the problem is. */
  readonly position: number;

  constructor(message: string, position: number) {
    super(`${message} (at character ${position + 1})`);
    this.name = 'ListeningQueryError';
    this.position = position;
  }
}

export function isAtom(node: ListeningNode): node is ListeningAtom {
  return node.type === 'term' || node.type === 'phrase' || node.type === 'lang' || node.type === 'from';
}
