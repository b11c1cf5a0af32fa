import type { PiiFinding } from './types.js';

const SUFFIXES_SAFE =
  'Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Terrace|Ter|Crescent|Cres|Parkway|Pkwy|Highway|Hwy|Mews|Alley|Parade|Strasse|Straße';
// These suffixes are also ordinary nouns ("Google Drive", "Paddington Way to go"), so they need a cue or a clean ending.
const SUFFIXES_AMBIGUOUS = 'Drive|Dr|Way|Place|Pl|Court|Ct|Close|Square|Sq|Circle|Cir|Row|Grove|Gardens|Hill|Walk|Trail';
const AMBIGUOUS = new Set(SUFFIXES_AMBIGUOUS.toLowerCase().split('|'));
const NAME_WORD = "(?:[A-Z][a-z'’.-]+|\\d{1,3}(?:st|nd|rd|th))";
const UNIT = "(?:,?\\s+(?:Apt|Apartment|Suite|Ste|Unit|Flat|Fl|Floor|#)\\.?\\s*#?\\s*[A-Za-z0-9-]{1,6})?";

// "221B Baker Street", "350 W 5th Ave, Suite 200", "12-14 High St".
const EN = new RegExp(
  `\\b\\d{1,5}[A-Za-z]?(?:-\\d{1,5})?\\s+(?:[NSEW]\\.?\\s+)?(?:${NAME_WORD}\\s+){1,3}(?<suffix>${SUFFIXES_SAFE}|${SUFFIXES_AMBIGUOUS})\\b\\.?${UNIT}`,
  'dg',
);
// The same shape in lower case, only after an address cue ("I live at 12 oak street").
const EN_CUED = new RegExp(
  `\\b(?:live at|living at|address is|address:|ship(?:ped)? to|deliver(?:ed)? to|send it to|moved to)\\s+(?<value>\\d{1,5}[a-z]?\\s+(?:[a-z'’.-]+\\s+){1,3}(?:${SUFFIXES_SAFE}|${SUFFIXES_AMBIGUOUS})\\b\\.?${UNIT})`,
  'dgi',
);
// German, Dutch, Nordic: the street word carries the suffix and the number follows ("Hauptstraße 5", "Kerkstraat 12a").
const GERMANIC =
  /\b(?:[A-ZÄÖÜ][a-zäöüß]+\s+)?[A-ZÄÖÜ][a-zäöüß]+(?:straße|strasse|str\.|weg|gasse|platz|allee|damm|straat|laan|gracht|plein|kade|vej|gatan|gata|veien)\s+\d{1,4}(?:\s?[a-z]\b)?(?!\d)/g;
// French: "12 rue de la Paix", "5 bis, avenue Victor Hugo".
const FRENCH =
  /\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?:[Rr]ue|[Aa]venue|[Bb]oulevard|[Bb]d|[Pp]lace|[Cc]hemin|[Aa]llée|[Ii]mpasse|[Qq]uai|[Rr]oute|[Cc]ours)\s+(?:(?:de|du|des|la|le|l['’]|d['’])\s*)*[A-ZÉÈ][\w'’-]+(?:\s+(?:de\s+|du\s+|la\s+)?[A-ZÉÈ][\w'’-]+){0,3}/g;
// Spanish, Italian, Portuguese: keyword, name, then number ("Calle Mayor 5", "Via Roma 10", "Rua Augusta, 274").
const ROMANCE =
  /\b(?:Calle|C\/|Avenida|Avda\.?|Paseo|Plaza|Carrer|Via|Viale|Piazza|Corso|Rua|Travessa)\s+(?:(?:de|del|la|las|los|dei|della|delle|do|da|dos|das)\s+)*[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,3},?\s+(?:n[º°o]\.?\s*)?\d{1,4}[A-Za-z]?\b/g;

function pushAll(text: string, regex: RegExp, out: PiiFinding[]): void {
  regex.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = regex.exec(text)) !== null) out.push({ type: 'address', start: m.index, end: m.index + m[0].length });
}

/** Street addresses: house number, street name and a street-type word, in English, Germanic, French and Romance forms. */
export function findAddresses(text: string, out: PiiFinding[]): void {
  EN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = EN.exec(text)) !== null) {
    const suffix = (m.groups?.['suffix'] ?? '').toLowerCase();
    const end = m.index + m[0].length;
    if (AMBIGUOUS.has(suffix) && /^\s+[a-z]/.test(text.slice(end, end + 3))) continue;
    out.push({ type: 'address', start: m.index, end });
  }
  EN_CUED.lastIndex = 0;
  while ((m = EN_CUED.exec(text)) !== null) {
    const span = m.indices?.groups?.['value'];
    if (span) out.push({ type: 'address', start: span[0], end: span[1] });
  }
  pushAll(text, GERMANIC, out);
  pushAll(text, FRENCH, out);
  pushAll(text, ROMANCE, out);
}
