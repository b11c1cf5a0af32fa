import { porterStem } from '../../platform/stem.js';
import { eng } from 'stopword';

/**
 * Words that say "this is a complaint" rather than what it is about. The stock English list
 * lacks them; left in, every pair of complaints would share them and look alike.
 */
const COMPLAINT_FILLER = [
  'no', 'not', 'cant', 'cannot', 'dont', 'doesnt', 'didnt', 'isnt', 'arent', 'wasnt', 'wont', 'havent', 'hasnt',
  'im', 'ive', 'id', 'ill', 'youre', 'thats', 'theres', 'whats', 'it', 'its', 'this', 'just', 'again', 'please',
  'pls', 'plz', 'anyone', 'else', 'today', 'why', 'u', 'ur', 'rt', 'via', 'amp', 'hi', 'hello', 'dear', 'thanks',
  'thank', 'guys', 'lol', 'omg', 'wtf', 'ffs', 'even', 'already', 'all', 'any', 'one', 'let', 'know', 'need',
  'want', 'going', 'gonna', 'does', 'am', 'pm', 'yet', 'ok', 'okay', 'hey', 'ya', 'yeah', 'really', 'so', 'will',
];

const STOP_WORDS = new Set<string>([...eng, ...COMPLAINT_FILLER]);

const URL_PATTERN = /\b(?:https?:\/\/|www\.)\S+/giu;
const EMAIL_PATTERN = /\b[\w.+-]+@[\w-]+\.[\w.-]+\b/gu;
const MENTION_PATTERN = /(^|[^\w])@\w+/gu;
// Hashtags often glue words in CamelCase (#NoSignal): split them before lowercasing loses the seams.
const HASHTAG_PATTERN = /#(\p{L}[\p{L}\p{N}_]*)/gu;
const CAMEL_SEAM = /(\p{Ll})(\p{Lu})/gu;
const APOSTROPHE = /['’‘`]/gu;
const NON_WORD = /[^\p{L}\p{N}]+/u;
const HAS_LETTER = /\p{L}/u;

const MAX_TERM_LENGTH = 30;

/**
 * Turns a message into its distinct content terms, in order of first appearance:
 * lowercase, without URLs, e-mail addresses, mentions, emoji, punctuation, stop words, bare numbers, stemmed.
 */
export function extractTerms(text: string, maxTerms = 24): string[] {
  const cleaned = text
    .replace(URL_PATTERN, ' ')
    .replace(EMAIL_PATTERN, ' ')
    .replace(MENTION_PATTERN, '$1 ')
    .replace(HASHTAG_PATTERN, (_match, tag: string) => ` ${tag.replace(CAMEL_SEAM, '$1 $2')} `)
    .replace(APOSTROPHE, '')
    .toLowerCase();
  const terms: string[] = [];
  const seen = new Set<string>();
  for (const word of cleaned.split(NON_WORD)) {
    if (word.length < 2 || word.length > MAX_TERM_LENGTH) continue;
    if (!HAS_LETTER.test(word) || STOP_WORDS.has(word)) continue;
    const term = porterStem(word);
    if (term.length < 2 || STOP_WORDS.has(term) || seen.has(term)) continue;
    seen.add(term);
    terms.push(term);
    if (terms.length >= maxTerms) break;
  }
  return terms;
}
