/** Readers for the public data sets under shared/data (never shipped: only the models trained from them are). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LabelledText {
  text: string;
  label: string;
}

function lines(path: string): string[] {
  const body = readFileSync(path, 'utf8');
  const out = body.split('\n');
  if (out.at(-1) === '') out.pop();
  return out;
}

/** SemEval 2013–2016 subtask A pool: `label<TAB>text` with a header row. */
export function loadSemevalTrain(dataDir: string): LabelledText[] {
  return lines(join(dataDir, 'sentiment', 'semeval-2013-2016-train.tsv'))
    .slice(1)
    .map((line) => {
      const tab = line.indexOf('\t');
      return { label: line.slice(0, tab), text: line.slice(tab + 1) };
    })
    .filter((row) => row.label === 'negative' || row.label === 'neutral' || row.label === 'positive');
}

/** A TweetEval task split; labels are mapped to names through the task's mapping.txt. */
export function loadTweetEval(dataDir: string, task: string, split: 'train' | 'val'): LabelledText[] {
  const folder = join(dataDir, 'tweeteval', task);
  const mapping = new Map(
    lines(join(folder, 'mapping.txt')).map((line) => {
      const [id, name] = line.split('\t');
      return [(id ?? '').trim(), (name ?? '').trim()] as const;
    }),
  );
  const texts = lines(join(folder, `${split}_text.txt`));
  const labels = lines(join(folder, `${split}_labels.txt`));
  return texts.map((text, i) => ({ text, label: mapping.get((labels[i] ?? '').trim()) ?? 'unknown' }));
}

/** Splits one CSV record with RFC 4180 quoting. */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

export function loadBanking77(dataDir: string): LabelledText[] {
  return lines(join(dataDir, 'intents', 'banking77', 'train.csv'))
    .slice(1)
    .map(parseCsvLine)
    .filter((f) => f.length >= 2)
    .map((f) => ({ text: f.slice(0, -1).join(','), label: f.at(-1) as string }));
}

export interface ClincSplits {
  train: LabelledText[];
  val: LabelledText[];
  oosTrain: LabelledText[];
  oosVal: LabelledText[];
}

export function loadClinc150(dataDir: string): ClincSplits {
  const raw = JSON.parse(
    readFileSync(join(dataDir, 'intents', 'clinc150', 'data_full_train_val.json'), 'utf8'),
  ) as Record<string, [string, string][]>;
  const take = (key: string): LabelledText[] => (raw[key] ?? []).map(([text, label]) => ({ text, label }));
  return { train: take('train'), val: take('val'), oosTrain: take('oos_train'), oosVal: take('oos_val') };
}
