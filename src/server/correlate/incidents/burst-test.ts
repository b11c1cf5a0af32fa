/** Poisson tail test: how surprising `observed` events are when `expected` were due. */

const LOG_FACTORIAL_TABLE: number[] = [0];
for (let k = 1; k <= 1024; k++) LOG_FACTORIAL_TABLE.push((LOG_FACTORIAL_TABLE[k - 1] as number) + Math.log(k));

function logFactorial(k: number): number {
  const cached = LOG_FACTORIAL_TABLE[k];
  if (cached !== undefined) return cached;
  // Stirling's series; far past the table its error is below 1e-9.
  return k * Math.log(k) - k + 0.5 * Math.log(2 * Math.PI * k) + 1 / (12 * k);
}

/** -log10 P(X >= observed) for X ~ Poisson(expected); 0 when observed is not above expected. */
export function poissonSurprise(observed: number, expected: number): number {
  if (observed <= expected || observed <= 0) return 0;
  const lambda = Math.max(expected, 1e-12);
  const logLambda = Math.log(lambda);
  // Sum the tail from its first (largest, since observed > lambda) term down.
  const logFirst = -lambda + observed * logLambda - logFactorial(observed);
  let ratioSum = 1;
  let term = 1;
  for (let k = observed + 1; k < observed + 2000; k++) {
    term *= lambda / k;
    ratioSum += term;
    if (term < 1e-12 * ratioSum) break;
  }
  const logTail = logFirst + Math.log(ratioSum);
  return Math.max(0, -logTail / Math.LN10);
}
