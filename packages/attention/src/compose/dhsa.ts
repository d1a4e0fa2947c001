import {
  constant,
  equal,
  literal,
  mapElements,
  matmul,
  maximum,
  mul,
  type Node,
  reshape,
  rsqrt,
  SpecError,
  select,
  sum,
  tensorRef,
  variable,
  where,
} from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { causal } from '../masks/builtin-masks.js';
import { and } from '../masks/combine-masks.js';
import { maskFrom } from '../masks/mask-from.js';
import { EXCLUDED_SCORE, topKKeep } from '../masks/top-k-keep.js';
import { attention } from '../spec/attention-spec.js';
import { checkOptions, checkSize } from '../spec/validate.js';

/** Options of {@link dynamicHierarchicalSparseAttention}. */
export interface DhsaOptions {
  /** C, the number of chunks: the chunk ids run over 0 … C − 1. */
  readonly chunks: number;
  /** Keys each query keeps (the budget; ties at the k-th chunk score kept, so whole chunks are kept). */
  readonly topK: number;
  /** Block name: prefixes the kernels' labels and names the selection (`${name}.keep`). Default `dhsa`. */
  readonly name?: string;
}

/** What {@link dynamicHierarchicalSparseAttention} builds. */
export interface DhsaResult {
  /** Attention over the kept (query, key) pairs, `[batch, heads, N, valueDim]`. */
  readonly output: Node;
  /** The selection `[batch, heads, N, N]`, i32 1 where query i keeps key j. */
  readonly keep: Node;
  /** The chunk scores S_c = Q̄ K̄ᵀ, `[batch, heads, C, C]`. */
  readonly chunkScores: Node;
}

/**
 * DHSA, Dynamic Hierarchical Sparse Attention (Xiong et al. 2025, catalog paper 30), for causal
 * self-attention prefill, `query`, `key` `[batch, heads, N, e]`, `value` `[batch, heads, N, e_v]`.
 * The chunk boundaries are an **input**: `chunkIds` `[batch, N]` i32 gives each token's chunk (ids
 * 0 … C − 1, each chunk a contiguous run), standing in for the paper's boundary predictor, whose
 * weights are not used here. Then, as the paper: chunk representations
 * k̄_c = √|C_c| · mean_{t∈C_c} k_t (and q̄_c alike), chunk scores S_c = Q̄ K̄ᵀ, upsampled to tokens
 * S_tok[i, j] = S_c[c(i), c(j)], the `topK` highest keys j ≤ i kept per query (all of them where
 * fewer exist; ties at the k-th score kept, so a chunk is kept or dropped whole), and softmax
 * attention (1/√e) over the kept pairs.
 *
 * The chunk pooling, scores and upsampling are matmuls with the one-hot chunk assignment; the
 * selection is `topk` and a select. Chunks of any length do not map to the kernel's 32 × 32 tiles,
 * so the selection is a mask from a tensor (`maskFrom(…, { skipEmptyTiles: true })`): pooled into a
 * tile table on the device, the kernel skips the tiles no query of its block keeps and runs the
 * per-pair predicate in the others.
 *
 * @example
 * ```ts
 * const [query, key, value] = ['q', 'k', 'v'].map((name) => input(name, [1, 4, 512, 64]));
 * const chunkIds = input('chunks', [1, 512], 'i32'); // from a boundary predictor, or fixed
 * const { output } = dynamicHierarchicalSparseAttention(
 *   { query: query!, key: key!, value: value!, chunkIds },
 *   { chunks: 16, topK: 128 },
 * );
 * ```
 */
export function dynamicHierarchicalSparseAttention(
  inputs: { readonly query: Node; readonly key: Node; readonly value: Node; readonly chunkIds: Node },
  options: DhsaOptions,
): DhsaResult {
  const { name, batch, heads, n, headDim, valueDim, chunks, topK } = checkDhsa(inputs, options);
  const { query, key, value, chunkIds } = inputs;
  // A[b, 0, t, c] = 1 where token t lies in chunk c.
  const ids = literal(
    Array.from({ length: chunks }, (_, c) => c),
    [chunks],
    'i32',
  );
  const assignment = where(equal(reshape(chunkIds, [batch, 1, n, 1]), ids), 1, 0);
  // √|C| · mean = sum / √|C| (an empty chunk's sum is 0).
  const inverseRoot = rsqrt(maximum(sum(assignment, 2, { keepDims: true }), 1));
  const pool = (x: Node) =>
    mul(matmul(assignment, x, { transposeA: true }), reshape(inverseRoot, [batch, 1, chunks, 1]));
  const chunkScores = matmul(pool(query), pool(key), { transposeB: true });
  const tokenScores = matmul(matmul(assignment, chunkScores), assignment, { transposeB: true });
  const column = variable('i3', 'i32');
  const row = variable('i2', 'i32');
  const causalScores = mapElements(
    [tokenScores],
    select(column.gt(row), constant(-EXCLUDED_SCORE), variable('$0', 'f32')),
  );
  const keep = topKKeep(causalScores, topK);
  const keepName = `${name}.keep`;
  const mask = and(
    causal(),
    maskFrom(tensorRef(keepName, [batch, heads, n, n], 'i32'), { skipEmptyTiles: true }),
  );
  const { output } = applyAttention(attention({ name, heads, headDim, valueDim, mask }), {
    query,
    key,
    value,
    tensors: { [keepName]: keep },
  });
  return { output, keep, chunkScores };
}

function checkDhsa(
  inputs: { readonly query: Node; readonly key: Node; readonly value: Node; readonly chunkIds: Node },
  options: DhsaOptions,
) {
  const builder = 'dynamicHierarchicalSparseAttention';
  checkOptions(builder, options, ['chunks', 'topK', 'name'], true);
  const name = options.name ?? 'dhsa';
  if (typeof name !== 'string' || name === '')
    throw new SpecError(`${builder}: option "name" must be a non-empty string`, { actual: String(name) });
  const chunks = checkSize(builder, 'option "chunks"', options.chunks);
  const topK = checkSize(builder, 'option "topK"', options.topK);
  const shapeOf = (node: Node | undefined) => node?.shape?.map(String).join(', ') ?? String(node);
  const fail = (tensor: string, expected: string, node: Node | undefined): never => {
    throw new SpecError(`${builder} "${name}": ${tensor} must be ${expected}`, {
      block: name,
      tensor,
      expected,
      actual: `[${shapeOf(node)}]`,
    });
  };
  const query = inputs.query?.shape;
  if (query?.length !== 4 || !query.every((size) => typeof size === 'number'))
    fail('query', '[batch, heads, N, dim] with static sizes', inputs.query);
  const [batch, heads, n, headDim] = query as [number, number, number, number];
  if (shapeOf(inputs.key) !== `${batch}, ${heads}, ${n}, ${headDim}`)
    fail(
      'key',
      `[${batch}, ${heads}, ${n}, ${headDim}] like the query (one key head per query head)`,
      inputs.key,
    );
  const value = inputs.value?.shape;
  if (
    value?.length !== 4 ||
    value.slice(0, 3).join() !== [batch, heads, n].join() ||
    typeof value[3] !== 'number'
  )
    fail('value', `[${batch}, ${heads}, ${n}, valueDim]`, inputs.value);
  if (shapeOf(inputs.chunkIds) !== `${batch}, ${n}` || inputs.chunkIds.dtype !== 'i32')
    fail('chunkIds', `i32 [${batch}, ${n}]`, inputs.chunkIds);
  return { name, batch, heads, n, headDim, valueDim: value![3] as number, chunks, topK };
}
