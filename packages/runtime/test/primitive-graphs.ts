// Norms and softmax written with IR primitives, as the GPU tests of the runtime build them:
// independent of @weft/norms, so the runtime's fusion tests do not depend on a higher package.
import { add, div, exp, max, mean, mul, type Node, rsqrt, sub, sum } from '@weft/ir';

/** softmax over the last axis: exp(x − max) / Σ exp(x − max). */
export function softmax(x: Node): Node {
  const e = exp(sub(x, max(x, -1, { keepDims: true })));
  return div(e, sum(e, -1, { keepDims: true }));
}

/** LayerNorm over the last axis with a two-pass variance. */
export function layerNorm(x: Node, gamma: Node, beta: Node, eps = 1e-5): Node {
  const centered = sub(x, mean(x, -1, { keepDims: true }));
  const variance = mean(mul(centered, centered), -1, { keepDims: true });
  return add(mul(mul(centered, rsqrt(add(variance, eps))), gamma), beta);
}

/** RMSNorm over the last axis. */
export function rmsNorm(x: Node, gain: Node, eps = 1e-6): Node {
  return mul(mul(x, rsqrt(add(mean(mul(x, x), -1, { keepDims: true }), eps))), gain);
}
