/** Language stage: ISO 639-1 code or 'und'. Stop-word votes settle short Latin texts fast; franc-min handles the rest. */
import { franc } from 'franc-min';

/** franc-min's ISO 639-3 codes → ISO 639-1 (macrolanguage where 639-1 has no individual code). */
const ISO3_TO_1: Record<string, string> = {
  spa: 'es', eng: 'en', por: 'pt', ind: 'id', fra: 'fr', deu: 'de', jav: 'jv', vie: 'vi', ita: 'it', tur: 'tr',
  pol: 'pl', swh: 'sw', sun: 'su', ron: 'ro', hau: 'ha', fuv: 'ff', bos: 'bs', hrv: 'hr', nld: 'nl', srp: 'sr',
  ckb: 'ku', yor: 'yo', uzn: 'uz', ibo: 'ig', tgl: 'tl', hun: 'hu', azj: 'az', ces: 'cs', run: 'rn', plt: 'mg',
  qug: 'qu', nya: 'ny', zyb: 'za', kin: 'rw', zul: 'zu', swe: 'sv', lin: 'ln', som: 'so', rus: 'ru', ukr: 'uk',
  koi: 'kv', bel: 'be', bul: 'bg', kaz: 'kk', arb: 'ar', urd: 'ur', pes: 'fa', zlm: 'ms', pbu: 'ps', hin: 'hi',
  mar: 'mr', npi: 'ne', cmn: 'zh', jpn: 'ja', kor: 'ko', ell: 'el', heb: 'he', tha: 'th', ben: 'bn', tam: 'ta',
  tel: 'te', guj: 'gu', kan: 'kn', mal: 'ml', pan: 'pa', mya: 'my', amh: 'am', kat: 'ka', hye: 'hy', sin: 'si',
  khm: 'km', lao: 'lo', ory: 'or', bod: 'bo', ydd: 'yi', div: 'dv',
};

/** Short, frequent words that are distinctive for each language (words shared across them are left out). */
const STOP_WORDS: Record<string, readonly string[]> = {
  en: ['the', 'and', 'is', 'are', 'you', 'your', 'my', 'this', 'that', 'with', 'for', 'have', 'not', 'was', 'what', 'why', 'how', 'where', 'when', 'will', 'just', 'been', 'from', 'it', 'i', 'to', 'of', 'please', 'thanks', 'can', 'get', 'still', 'me', 'we', 'they', 'it\'s', 'i\'m', 'can\'t', 'don\'t', 'be', 'on', 'at', 'so', 'do', 'but'],
  es: ['el', 'los', 'las', 'que', 'y', 'es', 'por', 'para', 'con', 'una', 'mi', 'pero', 'muy', 'gracias', 'está', 'hola', 'del', 'se', 'lo', 'como', 'más', 'cuando', 'tengo'],
  fr: ['le', 'les', 'et', 'est', 'une', 'je', 'vous', 'pour', 'avec', 'pas', 'mon', 'merci', 'bonjour', 'des', 'du', 'sur', 'mais', 'très', 'c\'est', 'ça', 'qui', 'nous'],
  de: ['der', 'die', 'das', 'und', 'ist', 'nicht', 'ich', 'sie', 'mit', 'für', 'ein', 'eine', 'mein', 'danke', 'auf', 'auch', 'noch', 'wie', 'bitte', 'habe', 'schon'],
  pt: ['o', 'os', 'não', 'é', 'uma', 'com', 'meu', 'minha', 'obrigado', 'obrigada', 'você', 'está', 'para', 'mas', 'muito', 'isso', 'ainda', 'foi'],
  it: ['il', 'gli', 'che', 'è', 'non', 'sono', 'per', 'con', 'una', 'mio', 'grazie', 'ciao', 'della', 'ancora', 'anche', 'questo', 'perché'],
  nl: ['het', 'een', 'niet', 'ik', 'je', 'van', 'met', 'voor', 'mijn', 'dank', 'bedankt', 'nog', 'ook', 'maar', 'zijn', 'wat', 'dat'],
};

const STOP_INDEX = new Map<string, string[]>();
for (const [lang, words] of Object.entries(STOP_WORDS)) {
  for (const word of words) STOP_INDEX.set(word, [...(STOP_INDEX.get(word) ?? []), lang]);
}

const SCRIPT_ONLY: [RegExp, string][] = [
  [/[\u3040-\u30ff]/u, 'ja'],
  [/[\uac00-\ud7af\u1100-\u11ff]/u, 'ko'],
  [/[\u4e00-\u9fff]/u, 'zh'],
  [/[\u0e00-\u0e7f]/u, 'th'],
  [/[\u0590-\u05ff]/u, 'he'],
  [/[\u0370-\u03ff]/u, 'el'],
];
const LETTER_RE = /\p{L}/gu;
/** Languages franc may answer with: the widely written ones. Fewer candidates keep detection fast and stable on short text. */
const FRANC_ONLY = [
  'eng', 'spa', 'por', 'fra', 'deu', 'ita', 'nld', 'tur', 'pol', 'ind', 'zlm', 'vie', 'tgl', 'swe', 'ron', 'ces', 'hun',
  'rus', 'ukr', 'bul', 'arb', 'pes', 'urd', 'hin', 'mar', 'ben', 'tam', 'tel', 'cmn', 'jpn', 'kor', 'ell', 'heb', 'tha',
];
const MIN_FRANC_LETTERS = 24;

/** Detects the language of one cleaned text from its lower-cased tokens; 'und' when the evidence is thin. */
export function detectLanguage(text: string, tokens: readonly string[]): string {
  const votes = new Map<string, number>();
  let words = 0;
  for (const token of tokens) {
    if (!/^\p{L}/u.test(token)) continue;
    words++;
    for (const lang of STOP_INDEX.get(token) ?? []) votes.set(lang, (votes.get(lang) ?? 0) + 1);
  }
  let best = 'und';
  let bestVotes = 0;
  let second = 0;
  for (const [lang, count] of votes) {
    if (count > bestVotes) {
      second = bestVotes;
      bestVotes = count;
      best = lang;
    } else if (count > second) second = count;
  }
  // Two distinctive function words, clearly ahead of the runner-up, are enough for a tweet-length Latin text.
  if (bestVotes >= 2 && bestVotes >= 2 * second && bestVotes * 8 >= words) return best;
  for (const [re, lang] of SCRIPT_ONLY) if (re.test(text)) return lang;
  const letters = text.match(LETTER_RE) ?? [];
  // A run of one repeated letter ("xxxxxxxx") is not language, whatever trigram statistics say.
  if (letters.length >= MIN_FRANC_LETTERS && new Set(letters.slice(0, 200)).size >= 5) {
    const code = franc(text, { minLength: MIN_FRANC_LETTERS, only: FRANC_ONLY });
    const mapped = ISO3_TO_1[code];
    if (mapped) return mapped;
  }
  if (bestVotes >= 1 && second === 0 && words <= 3) return best;
  return 'und';
}
