/**
 * Crammer–Singer multi-class linear SVM, solved by sequential dual coordinate descent over one example's class
 * variables at a time (Keerthi et al., 2008; the method of LIBLINEAR's -s 4). Unlike one-vs-rest, every class's margin
 * is traded against every other's in one problem, so the scores are comparable across classes. Deterministic from a seed.
 */
import type { LinearModel, SparseInput } from './linear-model.js';
import { createRng, shuffleInPlace } from './rng.js';
import type { SvmOptions } from './train-svm.js';

export function trainCrammerSinger(
  inputs: readonly SparseInput[],
  targets: Int32Array,
  labels: string[],
  opts: SvmOptions,
): LinearModel {
  const K = labels.length;
  const dim = 1 << opts.dimBits;
  const mask = dim - 1;
  const n = inputs.length;
  const C = opts.cost;
  const beta = opts.biasFeature;
  const w = new Float64Array(dim * K);
  const b = new Float64Array(K);
  const alpha = new Float64Array(n * K);
  const qd = new Float64Array(n);
  const idx = inputs.map((x) => {
    const out = new Int32Array(x.hashes.length);
    for (let j = 0; j < out.length; j++) out[j] = (x.hashes[j] as number) & mask;
    return out;
  });
  for (let i = 0; i < n; i++) {
    let sq = beta * beta;
    for (const v of (inputs[i] as SparseInput).values) sq += v * v;
    qd[i] = sq;
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = createRng(opts.seed);
  const G = new Float64Array(K);
  const B = new Float64Array(K);
  const D = new Float64Array(K);
  const next = new Float64Array(K);
  for (let iter = 0; iter < opts.maxIterations; iter++) {
    shuffleInPlace(order, rng);
    let maxViolation = 0;
    for (let s = 0; s < n; s++) {
      const i = order[s] as number;
      const y = targets[i] as number;
      const ix = idx[i] as Int32Array;
      const vx = (inputs[i] as SparseInput).values;
      for (let m = 0; m < K; m++) G[m] = (m === y ? 0 : 1) + (b[m] as number) * beta;
      for (let j = 0; j < ix.length; j++) {
        const v = vx[j] as number;
        const base = (ix[j] as number) * K;
        for (let m = 0; m < K; m++) G[m] = (G[m] as number) + v * (w[base + m] as number);
      }
      const a0 = i * K;
      // Optimality: the largest gradient against the smallest among classes whose variable can still rise.
      let maxG = -Infinity;
      let minG = Infinity;
      for (let m = 0; m < K; m++) {
        const g = G[m] as number;
        if (g > maxG) maxG = g;
        if ((alpha[a0 + m] as number) < (m === y ? C : 0) && g < minG) minG = g;
      }
      const violation = maxG - minG;
      if (violation > maxViolation) maxViolation = violation;
      if (violation < 1e-12) continue;
      const A = qd[i] as number;
      for (let m = 0; m < K; m++) {
        const bm = (G[m] as number) - A * (alpha[a0 + m] as number);
        B[m] = bm;
        D[m] = m === y ? bm + A * C : bm;
      }
      // Water-filling for the common multiplier (the sub-problem of Crammer and Singer).
      D.sort();
      let phi = (D[K - 1] as number) - A * C;
      let r = 1;
      while (r < K && phi < r * (D[K - 1 - r] as number)) {
        phi += D[K - 1 - r] as number;
        r++;
      }
      phi /= r;
      let changed = false;
      for (let m = 0; m < K; m++) {
        const a = Math.min(m === y ? C : 0, (phi - (B[m] as number)) / A);
        next[m] = a - (alpha[a0 + m] as number);
        if (next[m] !== 0) changed = true;
        alpha[a0 + m] = a;
      }
      if (!changed) continue;
      for (let j = 0; j < ix.length; j++) {
        const v = vx[j] as number;
        const base = (ix[j] as number) * K;
        for (let m = 0; m < K; m++) {
          const d = next[m] as number;
          if (d !== 0) w[base + m] = (w[base + m] as number) + d * v;
        }
      }
      for (let m = 0; m < K; m++) b[m] = (b[m] as number) + (next[m] as number) * beta;
    }
    if (maxViolation < opts.epsilon) break;
  }
  const weights = new Float32Array(dim * K);
  for (let k = 0; k < weights.length; k++) weights[k] = (w[k] as number) * opts.temperature;
  const bias = new Float32Array(K);
  for (let m = 0; m < K; m++) bias[m] = (b[m] as number) * beta * opts.temperature;
  return { labels, dimBits: opts.dimBits, weights, bias };
}
