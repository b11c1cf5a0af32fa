/** Multinomial logistic regression by AdaGrad SGD on hashed sparse inputs: fast, deterministic from a seed. */
import type { LinearModel, SparseInput } from './linear-model.js';
import { scoreLogits, softmaxInPlace } from './linear-model.js';
import { createRng, shuffleInPlace } from './rng.js';

export interface SoftmaxOptions {
  dimBits: number;
  epochs: number;
  learningRate: number;
  /** L2 penalty applied to the weights an example touches (lazy regularisation). */
  l2: number;
  seed: number;
  /** 'balanced' weighs each class by n / (k · n_class), which raises recall of rare classes. */
  classWeighting: 'balanced' | 'none';
  /** 'log' is softmax cross-entropy; 'hinge' is the Crammer–Singer multi-class margin, which touches two classes per step. */
  loss: 'log' | 'hinge';
  /** Average the weights seen at the end of the last N epochs (0: keep the final weights); smooths SGD noise. */
  averageLastEpochs: number;
}

export const DEFAULT_SOFTMAX: SoftmaxOptions = {
  dimBits: 18,
  epochs: 8,
  learningRate: 0.3,
  l2: 1e-6,
  seed: 42,
  classWeighting: 'none',
  loss: 'log',
  averageLastEpochs: 0,
};

/** Trains on `inputs[i]` with class index `targets[i]` into a model over `labels`. */
export function trainSoftmax(
  inputs: readonly SparseInput[],
  targets: Int32Array,
  labels: string[],
  options: Partial<SoftmaxOptions> = {},
): LinearModel {
  const opts = { ...DEFAULT_SOFTMAX, ...options };
  const classes = labels.length;
  const dim = 1 << opts.dimBits;
  const mask = dim - 1;
  const weights = new Float32Array(dim * classes);
  const bias = new Float32Array(classes);
  const squares = new Float32Array(dim * classes);
  const biasSquares = new Float32Array(classes);
  const model: LinearModel = { labels, dimBits: opts.dimBits, weights, bias };
  const classWeight = computeClassWeights(targets, classes, opts.classWeighting);
  const order = new Int32Array(inputs.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const rng = createRng(opts.seed);
  const logits = new Float32Array(classes);
  const grad = new Float32Array(classes);
  const lr = opts.learningRate;
  const eps = 1e-6;
  const averaged = Math.min(opts.averageLastEpochs, opts.epochs);
  const sumWeights = averaged > 0 ? new Float32Array(weights.length) : undefined;
  const sumBias = new Float32Array(classes);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    shuffleInPlace(order, rng);
    for (let o = 0; o < order.length; o++) {
      const index = order[o] as number;
      const input = inputs[index] as SparseInput;
      const target = targets[index] as number;
      scoreLogits(model, input, logits);
      const w = classWeight[target] as number;
      if (opts.loss === 'hinge') {
        if (!hingeGradient(logits, target, w, grad)) continue;
      } else {
        softmaxInPlace(logits);
        for (let c = 0; c < classes; c++) grad[c] = w * ((logits[c] as number) - (c === target ? 1 : 0));
      }
      for (let c = 0; c < classes; c++) {
        const g = grad[c] as number;
        biasSquares[c] = (biasSquares[c] as number) + g * g;
        bias[c] = (bias[c] as number) - (lr * g) / (Math.sqrt(biasSquares[c] as number) + eps);
      }
      const { hashes, values } = input;
      for (let i = 0; i < hashes.length; i++) {
        const v = values[i] as number;
        const base = ((hashes[i] as number) & mask) * classes;
        for (let c = 0; c < classes; c++) {
          if (grad[c] === 0) continue;
          const k = base + c;
          const wk = weights[k] as number;
          const g = (grad[c] as number) * v + opts.l2 * wk;
          const s = (squares[k] as number) + g * g;
          squares[k] = s;
          weights[k] = wk - (lr * g) / (Math.sqrt(s) + eps);
        }
      }
    }
    if (sumWeights && epoch >= opts.epochs - averaged) {
      for (let k = 0; k < weights.length; k++)
        sumWeights[k] = (sumWeights[k] as number) + (weights[k] as number);
      for (let c = 0; c < classes; c++) sumBias[c] = (sumBias[c] as number) + (bias[c] as number);
    }
  }
  if (sumWeights) {
    for (let k = 0; k < weights.length; k++) weights[k] = (sumWeights[k] as number) / averaged;
    for (let c = 0; c < classes; c++) bias[c] = (sumBias[c] as number) / averaged;
  }
  return model;
}

/** Fills `grad` for a margin violation of the runner-up class; false when the margin of 1 already holds. */
function hingeGradient(logits: Float32Array, target: number, weight: number, grad: Float32Array): boolean {
  let rival = -1;
  let rivalScore = -Infinity;
  for (let c = 0; c < logits.length; c++) {
    if (c !== target && (logits[c] as number) > rivalScore) {
      rivalScore = logits[c] as number;
      rival = c;
    }
  }
  if (rival < 0 || (logits[target] as number) - rivalScore >= 1) return false;
  grad.fill(0);
  grad[target] = -weight;
  grad[rival] = weight;
  return true;
}

function computeClassWeights(
  targets: Int32Array,
  classes: number,
  mode: SoftmaxOptions['classWeighting'],
): Float32Array {
  const weights = new Float32Array(classes).fill(1);
  if (mode === 'none' || targets.length === 0) return weights;
  const counts = new Float32Array(classes);
  for (const t of targets) counts[t] = (counts[t] as number) + 1;
  for (let c = 0; c < classes; c++) {
    const count = counts[c] as number;
    weights[c] = count > 0 ? targets.length / (classes * count) : 1;
  }
  return weights;
}
