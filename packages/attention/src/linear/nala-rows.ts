import { add, concat, div, greater, mul, type Node, neg, pow, relu, sqrt, sum, tanh, where } from '@weft/ir';

/**
 * NaLaFormer's query features over rows `[B, n, N, d]` → `[B, n, N, 2d]`: with ‖q‖ the row's norm and
 * p = 3(0.5 + tanh ‖q‖), [(ReLU(q)/‖q‖)^p ; (ReLU(−q)/‖q‖)^p].
 */
export function nalaQueryRows(q: Node): Node {
  const norm = sqrt(sum(mul(q, q), 3, { keepDims: true }));
  const power = mul(add(tanh(norm), 0.5), 3);
  // x^p for x ≥ 0 with an exact 0 at x = 0 (pow(0, p) is left undefined by WGSL).
  const powered = (signed: Node) => where(greater(signed, 0), pow(div(relu(signed), norm), power), 0);
  return concat([powered(q), powered(neg(q))], 3);
}

/** NaLaFormer's key features over rows `[B, n, N, d]` → `[B, n, N, 2d]`: [ReLU(k³) ; ReLU(−k³)]. */
export function nalaKeyRows(k: Node): Node {
  const cube = mul(mul(k, k), k);
  return concat([relu(cube), relu(neg(cube))], 3);
}
