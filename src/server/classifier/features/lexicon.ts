/** VADER's valence lexicon (Apache-2.0, shipped in the vader-sentiment package) as prior knowledge for the sentiment model. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let lexicon: Map<string, number> | undefined;

/** Word → valence in [-4, 4]; read once from the installed package, empty when it is missing. */
export function getValenceLexicon(): Map<string, number> {
  if (lexicon) return lexicon;
  lexicon = new Map();
  try {
    const require = createRequire(import.meta.url);
    const file = join(dirname(require.resolve('vader-sentiment/package.json')), 'vader_lexicon.txt');
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [word, valence] = line.split('\t');
      const value = Number(valence);
      if (!word || !Number.isFinite(value)) continue;
      const key = word.toLowerCase();
      if (!lexicon.has(key)) lexicon.set(key, value);
    }
  } catch {
    // The model still works from n-grams alone; lexicon cues then simply never fire.
  }
  return lexicon;
}
