/** Exact GELU, `x · Φ(x) = ½ x (1 + erf(x / √2))`, in float64. */
export function geluReference(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

/**
 * The error function to within 1e-13: its Maclaurin series for |x| < 3 (terms alternate, and
 * at most about three digits cancel), the Laplace continued fraction of erfc beyond.
 */
export function erf(x: number): number {
  const magnitude = Math.abs(x);
  if (magnitude >= 6) return Math.sign(x);
  if (magnitude < 3) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 100 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = exp(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), evaluated from the tail.
  let fraction = magnitude;
  for (let n = 60; n >= 1; n--) fraction = magnitude + n / 2 / fraction;
  const complement = Math.exp(-magnitude * magnitude) / Math.sqrt(Math.PI) / fraction;
  return Math.sign(x) * (1 - complement);
}
