import {
  add,
  broadcastTo,
  constant,
  exp,
  mapElements,
  matmul,
  mul,
  type Node,
  permute,
  reshape,
  SpecError,
  select,
  slice,
  sub,
  tensorRef,
  topk,
  variable,
} from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { maskFrom } from '../masks/mask-from.js';
import { sparseKThreshold } from '../op/sparsek-threshold-op.js';
import { attention } from '../spec/attention-spec.js';
import { scale, scoreMod } from '../spec/score-mods.js';
import { checkNumber, checkOptions, checkSize } from '../spec/validate.js';

/** SparseK's scoring network: u_j = x_j·w_h + b_h + slope·j, one score per key and head. */
export interface SparseKScore {
  /** The token states x `[batch, N, model]`. */
  readonly x: Node;
  /** w `[model, heads]`. */
  readonly weight: Node;
  /** b `[heads]` (optional). */
  readonly bias?: Node;
  /** The linear position term d(j) = slope·j (default 0). */
  readonly positionSlope?: number;
}

/** Options of {@link sparseKAttention}. */
export interface SparseKAttentionOptions {
  /** k, key-value pairs kept per query (all its causal keys where it has at most k). */
  readonly k: number;
  /** The scoring network (see {@link SparseKScore}). */
  readonly score: SparseKScore;
  /**
   * Bisection steps of the threshold kernel at most (default 40; it stops once its f32 bracket
   * cannot shrink). The float64 reference is exact.
   */
  readonly iterations?: number;
  /** Block name: prefixes the kernels' labels and the bound selections. Default `sparsek`. */
  readonly name?: string;
}

/** What {@link sparseKAttention} builds. */
export interface SparseKAttentionResult {
  /** o_i = softmax(q_i K_Iᵀ/√d)(m_I ⊙ V_I), `[batch, heads, N, valueDim]`. */
  readonly output: Node;
  /** The soft mask m^(i) = SparseK(u_{≤i}, k) restricted to the kept keys, `[batch, heads, N, N]`. */
  readonly softMask: Node;
  /** The kept keys I_i (top k of u_{≤i}), `[batch, heads, N, N]` i32. */
  readonly kept: Node;
  /** The scores u, `[batch, heads, N]`. */
  readonly scores: Node;
}

const BIG = 3e38;
const $ = (index: number) => variable(`$${index}`, 'f32');
const row = variable('i2', 'i32');
const column = variable('i3', 'i32');

/**
 * SparseK attention (Lou et al. 2024, catalog #86), forward, causal self-attention: a scoring
 * network gives each key a query-independent score u_j; query i keeps the top k of u_{≤i} (I_i)
 * and weighs their values by the SparseK operator m^(i) = clip(u − τ, 0, 1), the projection of u_{≤i}
 * onto {p ∈ [0,1]^m, Σp = k} (m = 1 where i has at most k keys):
 * o_i = softmax(q_i K_Iᵀ/√d)(m_I ⊙ V_I). τ comes from {@link sparseKThreshold}: one kernel bisecting
 * every prefix's f32 bracket on the device (the paper sorts, Algorithm 1; same τ to f32 precision),
 * exact in the float64 reference. Two fused kernels over the kept keys (tiles no
 * query keeps skipped): one with score s + log m (output and LSE A), one for the LSE B of s alone;
 * o = O_A · exp(A − B), exact since Σ_I e^s m v / Σ_I e^s = O_A · Σ_I e^{s + log m} / Σ_I e^s.
 *
 * @example
 * ```ts
 * const [q, k, v] = ['q', 'k', 'v'].map((name) => input(name, [1, 2, 64, 16]));
 * const score = { x: input('x', [1, 64, 32]), weight: param('sparsek.score', [32, 2]) };
 * const { output } = sparseKAttention({ query: q!, key: k!, value: v! }, { k: 16, score });
 * ```
 */
export function sparseKAttention(
  inputs: { readonly query: Node; readonly key: Node; readonly value: Node },
  options: SparseKAttentionOptions,
): SparseKAttentionResult {
  const { name, keep, iterations, batch, heads, kvHeads, n, headDim, valueDim } = checkSparseK(
    inputs,
    options,
  );
  const scores = keyScores(options.score, { name, batch, heads, n });
  // U[i, j] = u_j for the causal candidates j ≤ i, −BIG after.
  const candidates = mapElements(
    [broadcastTo(reshape(scores, [batch, heads, 1, n]), [batch, heads, n, n])],
    select(column.le(row), $(0), constant(-BIG)),
  );
  const kk = Math.min(keep, n);
  const kth = slice(topk(candidates, kk).values, [0, 0, 0, kk - 1], [batch, heads, n, kk]);
  // τ_i of each causal prefix u_{≤i}, exact to f32 by one fused bisection kernel.
  const threshold = reshape(sparseKThreshold(scores, keep, { iterations, block: name }), [
    batch,
    heads,
    n,
    1,
  ]);
  const few = row.add(constant(1, 'i32')).le(constant(keep, 'i32'));
  const valid = column.le(row);
  const softMask = mapElements(
    [candidates, threshold],
    select(valid, select(few, constant(1), $(0).sub($(1)).max(0).min(1)), constant(0)),
  );
  const kept = mapElements(
    [candidates, kth],
    select(valid.and($(0).ge($(1))), constant(1, 'i32'), constant(0, 'i32')),
  );
  const logMask = mapElements(
    [softMask, kept],
    select(variable('$1', 'i32').ne(0).and($(0).gt(0)), $(0).apply('log'), constant(-BIG)),
  );
  const weighted = mapElements(
    [logMask],
    select($(0).gt(constant(-BIG)), constant(1, 'i32'), constant(0, 'i32')),
  );
  const shape = [batch, heads, n, n];
  const ref = (part: string, dtype: 'f32' | 'i32') => tensorRef(`${name}.${part}`, shape, dtype);
  const logRef = ref('logMask', 'f32');
  const common = { heads, kvHeads, headDim, valueDim, outputs: { logSumExp: true } };
  const withMask = applyAttention(
    attention({
      ...common,
      name: `${name}.weighted`,
      score: [scale(1 / Math.sqrt(headDim)), scoreMod((s, { b, h, q, k }) => s.add(logRef.at(b, h, q, k)))],
      mask: maskFrom(ref('weighted', 'i32'), { skipEmptyTiles: true }),
    }),
    { ...inputs, tensors: { [`${name}.logMask`]: logMask, [`${name}.weighted`]: weighted } },
  );
  const plain = applyAttention(
    attention({
      ...common,
      name: `${name}.kept`,
      mask: maskFrom(ref('kept', 'i32'), { skipEmptyTiles: true }),
    }),
    { ...inputs, tensors: { [`${name}.kept`]: kept } },
  );
  const ratio = exp(sub(withMask.logSumExp!, plain.logSumExp!));
  const output = mul(withMask.output, reshape(ratio, [batch, heads, n, 1]));
  return {
    output,
    softMask: mul(softMask, mapElements([kept], variable('$0', 'i32').cast('f32'))),
    kept,
    scores,
  };
}

/** u `[batch, heads, N]`: x w + b, plus slope·j. */
function keyScores(
  score: SparseKScore,
  sizes: { readonly name: string; readonly batch: number; readonly heads: number; readonly n: number },
): Node {
  const { name, batch, heads, n } = sizes;
  const x = score.x;
  if (x?.rank !== 3 || x.shape[0] !== batch || x.shape[1] !== n || typeof x.shape[2] !== 'number')
    throw shapeError(name, 'score.x', `[${batch}, ${n}, model]`, x);
  const model = x.shape[2];
  if (score.weight?.shape?.join() !== [model, heads].join())
    throw shapeError(name, 'score.weight', `[${model}, ${heads}]`, score.weight);
  if (score.bias !== undefined && score.bias?.shape?.join() !== String(heads))
    throw shapeError(name, 'score.bias', `[${heads}]`, score.bias);
  const slope = checkNumber(
    `sparseKAttention "${name}"`,
    'option "score.positionSlope"',
    score.positionSlope ?? 0,
  );
  const projected = matmul(x, score.weight);
  const biased = score.bias === undefined ? projected : add(projected, score.bias);
  const perHead = permute(biased, [0, 2, 1]);
  return mapElements([perHead], $(0).add(variable('i2', 'i32').cast('f32').mul(constant(slope))));
}

function checkSparseK(
  inputs: { readonly query: Node; readonly key: Node; readonly value: Node },
  options: SparseKAttentionOptions,
) {
  const builder = 'sparseKAttention';
  checkOptions(builder, options, ['k', 'score', 'iterations', 'name'], true);
  const name = options.name ?? 'sparsek';
  if (typeof name !== 'string' || name === '')
    throw new SpecError(`${builder}: option "name" must be a non-empty string`, { actual: String(name) });
  const keep = checkSize(`${builder} "${name}"`, 'option "k"', options.k);
  const iterations = checkSize(`${builder} "${name}"`, 'option "iterations"', options.iterations ?? 40);
  const rank4 = (node: Node, tensor: string) => {
    if (node?.rank !== 4 || !node.shape.every((size) => typeof size === 'number'))
      throw shapeError(name, tensor, '[batch, heads, N, dim] with static sizes', node);
    return node.shape as [number, number, number, number];
  };
  const [batch, heads, n, headDim] = rank4(inputs.query, 'query');
  const [, kvHeads, , keyDim] = rank4(inputs.key, 'key');
  const [, , , valueDim] = rank4(inputs.value, 'value');
  if (
    inputs.key.shape.join() !== [batch, kvHeads, n, headDim].join() ||
    heads % kvHeads !== 0 ||
    keyDim !== headDim
  )
    throw shapeError(name, 'key', `[${batch}, a divisor of ${heads}, ${n}, ${headDim}]`, inputs.key);
  if (inputs.value.shape.join() !== [batch, kvHeads, n, valueDim].join())
    throw shapeError(name, 'value', `[${batch}, ${kvHeads}, ${n}, valueDim]`, inputs.value);
  return { name, keep, iterations, batch, heads, kvHeads, n, headDim, valueDim };
}

function shapeError(block: string, tensor: string, expected: string, node: Node | undefined): SpecError {
  const actual = Array.isArray(node?.shape) ? `[${node.shape.map(String).join(', ')}]` : String(node);
  return new SpecError(`sparseKAttention "${block}": ${tensor} has the wrong shape`, {
    block,
    tensor,
    expected,
    actual,
  });
}
