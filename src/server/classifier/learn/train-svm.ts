/**
 * One-vs-rest linear SVM with the squared hinge loss, solved by dual coordinate descent with shrinking
 * (Hsieh et al., 2008, the method of LIBLINEAR's L2-loss dual solver). Deterministic from a seed.
 * Scores are multiplied by `temperature` so a softmax over them gives usable confidences.
 */
import type { LinearModel, SparseInput } from './linear-model.js';
import { createRng, shuffleInPlace } from './rng.js';

export interface SvmOptions {
  dimBits: number;
  /** C: the cost of a margin violation; larger fits the training data harder. */
  cost: number;
  /** Stop when the projected-gradient spread of a pass falls below this (LIBLINEAR's default 0.1). */
  epsilon: number;
  maxIterations: number;
  seed: number;
  /** Scale of the stored scores: softmax(temperature · margin). */
  temperature: number;
  /** Value of the constant feature that carries the (regularised) bias. */
  biasFeature: number;
}

export const DEFAULT_SVM: SvmOptions = {
  dimBits: 17,
  cost: 1,
  epsilon: 0.1,
  maxIterations: 200,
  seed: 42,
  temperature: 5,
  biasFeature: 1,
};

/** Inputs must have unique buckets (merged duplicates) in the model's hash space. */
export function trainSvm(
  inputs: readonly SparseInput[],
  targets: Int32Array,
  labels: string[],
  options: Partial<SvmOptions> = {},
): LinearModel {
  const opts = { ...DEFAULT_SVM, ...options };
  const classes = labels.length;
  const dim = 1 << opts.dimBits;
  const mask = dim - 1;
  const n = inputs.length;
  const weights = new Float32Array(dim * classes);
  const bias = new Float32Array(classes);
  const diag = 1 / (2 * opts.cost);
  const beta = opts.biasFeature;
  const qd = new Float64Array(n);
  const idx: Int32Array[] = inputs.map((x) => {
    const out = new Int32Array(x.hashes.length);
    for (let j = 0; j < out.length; j++) out[j] = (x.hashes[j] as number) & mask;
    return out;
  });
  for (let i = 0; i < n; i++) {
    let sq = beta * beta + diag;
    const v = (inputs[i] as SparseInput).values;
    for (let j = 0; j < v.length; j++) sq += (v[j] as number) ** 2;
    qd[i] = sq;
  }
  const w = new Float64Array(dim);
  const alpha = new Float64Array(n);
  const active = new Int32Array(n);
  const rng = createRng(opts.seed);
  for (let c = 0; c < classes; c++) {
    w.fill(0);
    alpha.fill(0);
    let b = 0;
    for (let i = 0; i < n; i++) active[i] = i;
    let activeSize = n;
    let maxOld = Infinity;
    for (let iter = 0; iter < opts.maxIterations; iter++) {
      let maxNew = -Infinity;
      let minNew = Infinity;
      const view = active.subarray(0, activeSize);
      shuffleInPlace(view, rng);
      for (let s = 0; s < activeSize; s++) {
        const i = active[s] as number;
        const yi = targets[i] === c ? 1 : -1;
        const ix = idx[i] as Int32Array;
        const vx = (inputs[i] as SparseInput).values;
        let dot = b * beta;
        for (let j = 0; j < ix.length; j++) dot += (w[ix[j] as number] as number) * (vx[j] as number);
        const a = alpha[i] as number;
        const g = yi * dot - 1 + diag * a;
        let pg = g;
        if (a === 0) {
          if (g > maxOld) {
            // Shrink: this example sits well outside the margin and is unlikely to return.
            activeSize--;
            active[s] = active[activeSize] as number;
            active[activeSize] = i;
            s--;
            continue;
          }
          if (g > 0) pg = 0;
        }
        if (pg > maxNew) maxNew = pg;
        if (pg < minNew) minNew = pg;
        if (pg === 0) continue;
        const next = Math.max(a - g / (qd[i] as number), 0);
        const d = (next - a) * yi;
        alpha[i] = next;
        if (d !== 0) {
          for (let j = 0; j < ix.length; j++) {
            const k = ix[j] as number;
            w[k] = (w[k] as number) + d * (vx[j] as number);
          }
          b += d * beta;
        }
      }
      if (maxNew - minNew <= opts.epsilon || activeSize === 0) {
        if (activeSize === n) break;
        // Converged on the shrunk set: check every example once more before stopping.
        activeSize = n;
        maxOld = Infinity;
        continue;
      }
      maxOld = maxNew <= 0 ? Infinity : maxNew;
    }
    for (let f = 0; f < dim; f++) weights[f * classes + c] = (w[f] as number) * opts.temperature;
    bias[c] = b * beta * opts.temperature;
  }
  return { labels, dimBits: opts.dimBits, weights, bias };
}
