import {
  type Expr,
  exp,
  gather,
  literal,
  type Node,
  SLICE_END,
  SpecError,
  slice,
  substituteExpr,
  tensorRef,
  variable,
} from '@weft/ir';
import { applyAttention } from './apply-attention.js';
import { makeMask } from './masks/mask.js';
import { type AttentionSpec, attention } from './spec/attention-spec.js';
import { VARIABLE_NAMES as V } from './spec/attention-variables.js';
import { softmax } from './spec/normalizers.js';
import { type ScoreMod, scale, scoreMod } from './spec/score-mods.js';

/** Inputs of {@link attentionColumnSums}. */
export interface ColumnSumInputs {
  /** The attention's query `[B, H, Nq, d]`. */
  readonly query: Node;
  /** The attention's key `[B, Hkv, Nk, d]`. */
  readonly key: Node;
  /** The attention's row log-sum-exp `[B, H, Nq]` (its `logSumExp` output). */
  readonly logSumExp: Node;
  /** Tensors the spec's score mods read, by name (as for `applyAttention`). */
  readonly tensors?: Readonly<Record<string, Node>>;
}

/** The name the transposed attention reads the row log-sum-exp under. */
const ROW_LSE = 'columnSums.rowLogSumExp';

/**
 * Per-key column sums of softmax attention, c_j = Σ_i p_ij `[B, H, Nk]` (the attention each key
 * receives; ACT's column score (#25) is c_j over the number of queries that see key j), without an
 * N×N buffer. With the row log-sum-exp known, c_j = Σ_i exp(s_ij − lse_i) = exp(lse′_j), where lse′
 * is the log-sum-exp of the **transposed** attention: key j as the query, the queries as keys, the
 * same scores (score mods and mask with q and k swapped) minus a per-key bias lse_i. That is one
 * more fused attention kernel (the log-sum-exp output, a one-wide value): one more QK pass over the
 * kept pairs, no PV work to speak of, O(B·H·Nk) extra memory. Under GQA the keys are first gathered
 * to the query heads.
 *
 * Supported (static lengths): softmax (with or without a sink: p then excludes the sink's share) without RoPE or
 * ALiBi positions, QK norm or weighted heads; masks and score mods over the indices and lengths, score mods
 * reading tensors (masks that read tensors are rejected: their axes' query and key roles would swap).
 *
 * @example
 * ```ts
 * const [query, key, value] = ['q', 'k', 'v'].map((name) => input(name, [1, 4, 32, 16])) as [Node, Node, Node];
 * const spec = attention({ heads: 4, headDim: 16, mask: causal(), outputs: { logSumExp: true } });
 * const { logSumExp } = applyAttention(spec, { query, key, value });
 * const received = attentionColumnSums(spec, { query, key, logSumExp: logSumExp! }); // [B, H, Nk]
 * ```
 */
export function attentionColumnSums(spec: AttentionSpec, inputs: ColumnSumInputs): Node {
  const fail = (what: string): never => {
    throw new SpecError(`attentionColumnSums: attention "${spec.name}": ${what}`, { block: spec.name });
  };
  if (spec.normalizer.name !== 'softmax')
    fail(`column sums exist for softmax only, not ${spec.normalizer.name}`);
  if (spec.positions.name !== 'nope') fail(`positions "${spec.positions.name}" cannot be transposed`);
  if (spec.qkNorm !== undefined) fail('QK norm cannot be transposed');
  if (spec.weightedHeads) fail('weighted heads cannot be transposed');
  const mask = spec.mask;
  // A tensor's axes have roles (query, key) that would swap too: such masks are not transposed.
  if (mask !== undefined && mask.tensors.length > 0) fail(`mask ${mask.description} reads tensors`);
  const { heads, kvHeads } = spec;
  // Roles swap: the transposed query index is the key index and vice versa; heads are query heads.
  const swap = (expr: Expr): Expr =>
    substituteExpr(expr, (part) => {
      if (part.kind !== 'var') return undefined;
      const name = SWAPPED[part.payload as string];
      if (name !== undefined) return variable(name, part.dtype);
      if (part.payload === V.kvHead || part.payload === V.valueHead)
        return fail(`a score mod or mask reads ${String(part.payload)}, which transposition loses`);
      return undefined;
    });
  const lseShape = inputs.logSumExp.shape;
  const staticShape = lseShape.filter((dim): dim is number => typeof dim === 'number');
  if (staticShape.length !== lseShape.length)
    fail('the lengths must be static (a captured tensor has a static shape)');
  const rowLse = tensorRef(ROW_LSE, staticShape);
  const mods: ScoreMod[] = [
    // A mod that sets the scale replaces the default one: keep it replaced (scale 1, then the mods).
    ...(spec.score.some((mod) => mod.setsScale) ? [scale(1)] : []),
    ...spec.score.map((mod) => scoreMod((score) => swap(mod.apply(score)), `transposed(${mod.description})`)),
    scoreMod((score, { b, h, k }) => score.sub(rowLse.at(b, h, k)), 'minus the row log-sum-exp'),
  ];
  const transposed = attention({
    name: `${spec.name}.columnSums`,
    heads,
    headDim: spec.headDim,
    valueDim: 1,
    score: mods,
    ...(mask === undefined
      ? {}
      : {
          mask: makeMask(`transposed(${mask.description})`, swap(mask.predicate), {
            empty: swap(mask.blockRule.empty),
            full: swap(mask.blockRule.full),
          }),
        }),
    normalizer: softmax(),
    outputs: { logSumExp: true },
  });
  // Key j of query head h is the row of KV head ⌊h·kvHeads/heads⌋.
  const keyRows =
    kvHeads === heads
      ? inputs.key
      : gather(
          inputs.key,
          literal(
            Array.from({ length: heads }, (_, h) => Math.floor((h * kvHeads) / heads)),
            [heads],
            'i32',
          ),
          1,
        );
  const { logSumExp } = applyAttention(transposed, {
    query: keyRows,
    key: inputs.query,
    value: slice(inputs.query, [0, 0, 0, 0], [SLICE_END, SLICE_END, SLICE_END, 1]),
    tensors: { ...inputs.tensors, [ROW_LSE]: inputs.logSumExp },
  });
  // A key no query keeps has lse′ = −∞: exp gives 0.
  return exp(logSumExp!);
}

/** Index variables and block bounds whose roles swap under transposition. */
const SWAPPED: Readonly<Record<string, string>> = {
  [V.q]: V.k,
  [V.k]: V.q,
  [V.queryLength]: V.keyLength,
  [V.keyLength]: V.queryLength,
  [V.queryStart]: V.keyStart,
  [V.keyStart]: V.queryStart,
  [V.queryEnd]: V.keyEnd,
  [V.keyEnd]: V.queryEnd,
};
