/** Scores used in training reports and benchmarks. */

export interface ClassReport {
  accuracy: number;
  macroRecall: number;
  recall: Record<string, number>;
}

export function scorePredictions(
  gold: readonly string[],
  predicted: readonly string[],
  labels: readonly string[],
): ClassReport {
  const hits = new Map<string, number>();
  const totals = new Map<string, number>();
  let correct = 0;
  gold.forEach((label, i) => {
    totals.set(label, (totals.get(label) ?? 0) + 1);
    if (predicted[i] === label) {
      correct++;
      hits.set(label, (hits.get(label) ?? 0) + 1);
    }
  });
  const recall: Record<string, number> = {};
  let sum = 0;
  for (const label of labels) {
    const r = (hits.get(label) ?? 0) / (totals.get(label) || 1);
    recall[label] = r;
    sum += r;
  }
  return {
    accuracy: gold.length ? correct / gold.length : 0,
    macroRecall: labels.length ? sum / labels.length : 0,
    recall,
  };
}

/** F1 of the positive class for a binary task. */
export function f1Score(gold: readonly boolean[], predicted: readonly boolean[]): number {
  return fBetaScore(gold, predicted, 1);
}

/** F-beta of the positive class: beta < 1 weighs precision above recall. */
export function fBetaScore(gold: readonly boolean[], predicted: readonly boolean[], beta: number): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  gold.forEach((g, i) => {
    if (g && predicted[i]) tp++;
    else if (!g && predicted[i]) fp++;
    else if (g && !predicted[i]) fn++;
  });
  const b2 = beta * beta;
  return tp === 0 ? 0 : ((1 + b2) * tp) / ((1 + b2) * tp + b2 * fn + fp);
}
