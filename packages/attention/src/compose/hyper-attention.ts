import { concat, type Node, reshape, SLICE_END, SpecError, slice, withLabel } from '@weft/ir';
import { mergeAttention } from '../merge-attention.js';
import { checkBoolean, checkNumber, checkOptions, checkSize } from '../spec/validate.js';
import {
  exactAttention,
  type HyperPart,
  type HyperSettings,
  sortedBlockAttention,
} from './hyper-attention-blocks.js';

/** Options of {@link hyperAttention}. */
export interface HyperAttentionOptions {
  /** Key block of the sorted order (the paper: 256); it must divide Nk, and Nk/blockSize divide Nq. */
  readonly blockSize: number;
  /** sortLSH's random Gaussian projections P `[headDim, r]` (the paper: r = 7), shared by the heads. */
  readonly projections: Node;
  /**
   * The residual's m key indices, uniform in [0, Nk) with replacement (the paper's `torch.randint`),
   * indices into the **sorted** keys; seed them on the host. Non-causal: one `[B, H, m]` i32 tensor.
   * Causal: one per level ℓ of the recursion whose bottom-left quadrant is approximated (N/2^ℓ ≥
   * 2·minSeqLen), `[B, H·2^ℓ, m]` i32 (level ℓ's heads are the halves of level ℓ − 1's).
   */
  readonly samples: Node | readonly Node[];
  /** Causal: the paper's recursive halving (default false). */
  readonly causal?: boolean;
  /**
   * The paper's `min_seq_len`: exact attention where a non-causal (sub)problem has fewer queries, and
   * where a causal one has at most this many keys. Required when causal; default 0 otherwise.
   */
  readonly minSeqLen?: number;
  /** Score scale (default 1/√headDim). */
  readonly scale?: number;
  /** Block name: labels the kernels and names the bound sample tables. Default `hyperAttention`. */
  readonly name?: string;
}

/** What {@link hyperAttention} builds. */
export interface HyperAttentionResult {
  /** The approximate attention `[B, H, Nq, dv]`, rows in the input order. */
  readonly output: Node;
  /** Its row log-sum-exp `[B, H, Nq]` (of the block-diagonal part plus the weighted residual). */
  readonly logSumExp: Node;
  /** Non-causal with sortLSH: row p of the sorted queries is query `queryOrder[p]`, `[B, H, Nq]` i32. */
  readonly queryOrder?: Node;
  /** Non-causal with sortLSH: the key order of the sort, `[B, H, Nk]` i32. */
  readonly keyOrder?: Node;
}

/**
 * HyperAttention (Han et al. 2023, catalog #18), forward, on the device in one program. Non-causal
 * (`forward_no_causal_mask` of its code):
 *
 * 1. sortLSH: hash(x) = perm[Σ_b 2^b·1[x·P_b > 0]] (perm the Gray-code order), and a stable sort of
 *    the queries and of the keys by hash (ranks counted pairwise, the rows gathered by the computed
 *    order);
 * 2. exact softmax attention inside the diagonal blocks of the sorted order (key block `blockSize`,
 *    query block Nq/blocks): a block-diagonal mask whose block rule lets the kernel skip every
 *    off-diagonal tile, with the row log-sum-exp in the same pass → (O₁, LSE₁);
 * 3. the residual: every sorted query attends to the m sampled sorted keys, −∞ where the sampled
 *    key lies in the query's own block (it is counted in step 2), LSE₂ += log(Nk/m) → (O₂, LSE₂);
 * 4. `mergeAttention` by log-sum-exp, then the rows put back in the input order.
 *
 * Below `minSeqLen` queries it is exact attention, as the paper. Causal (`causal: true`, as many
 * queries as keys): at most `minSeqLen` keys, exact causal attention; else the halves become heads
 * (a reshape to `[B, 2H, N/2, d]`) and run causal HyperAttention recursively (the top-left and
 * bottom-right quadrants), the bottom-left quadrant runs the non-causal forward, and the bottom rows
 * are merged by log-sum-exp. Throws a `SpecError` naming the option or operand that does not fit
 * (the paper pads an odd length; here it is refused).
 *
 * @example
 * ```ts
 * const [q, k, v] = ['q', 'k', 'v'].map((name) => input(name, [1, 8, 4096, 64]));
 * const projections = input('lsh.projections', [64, 7]); // seeded N(0, 1) values
 * const samples = input('hyper.samples', [1, 8, 256], 'i32'); // seeded uniform ints in [0, 4096)
 * const { output } = hyperAttention({ query: q!, key: k!, value: v! }, { blockSize: 256, projections, samples });
 * ```
 */
export function hyperAttention(
  inputs: { readonly query: Node; readonly key: Node; readonly value: Node },
  options: HyperAttentionOptions,
): HyperAttentionResult {
  const builder = 'hyperAttention';
  checkOptions(
    builder,
    options,
    ['blockSize', 'projections', 'samples', 'causal', 'minSeqLen', 'scale', 'name'],
    true,
  );
  const name = options.name ?? builder;
  const { query, key, value, projections } = { ...inputs, ...options };
  const fail = (tensor: string, expected: string, actual: unknown): never => {
    throw new SpecError(`${builder}: ${tensor} does not fit`, {
      block: name,
      tensor,
      expected,
      actual: String(actual),
    });
  };
  const shapeOf = (node: Node, tensor: string) => {
    if (node.rank !== 4 || !node.shape.every((dim) => typeof dim === 'number'))
      fail(tensor, 'a static [batch, heads, length, dim]', node.shape.join(', '));
    return node.shape as readonly number[];
  };
  const [batch, heads, queries, dim] = shapeOf(query, 'query') as [number, number, number, number];
  const keys = shapeOf(key, 'key')[2]!;
  const valueShape = shapeOf(value, 'value');
  if (key.shape[0] !== batch || key.shape[1] !== heads || key.shape[3] !== dim)
    fail('key', `[${batch}, ${heads}, Nk, ${dim}] (as the query)`, key.shape.join(', '));
  if (valueShape[0] !== batch || valueShape[1] !== heads || valueShape[2] !== keys)
    fail('value', `[${batch}, ${heads}, ${keys}, dv]`, valueShape.join(', '));
  const blockSize = checkSize(builder, 'option "blockSize"', options.blockSize);
  if (projections.rank !== 2 || projections.shape[0] !== dim || typeof projections.shape[1] !== 'number')
    fail('projections', `[${dim}, r]`, projections.shape.join(', '));
  const isCausal = checkBoolean(builder, 'option "causal"', options.causal ?? false);
  if (isCausal && options.minSeqLen === undefined)
    fail('minSeqLen', 'the length at or below which causal attention is exact (the paper: 4096)', 'none');
  const minSeqLen = checkSize(builder, 'option "minSeqLen"', options.minSeqLen ?? 0, isCausal ? 1 : 0);
  const settings: HyperSettings = {
    projections,
    blockSize,
    name,
    scale: checkNumber(builder, 'option "scale"', options.scale ?? 1 / Math.sqrt(dim), { above: 0 }),
  };
  const sampleList = Array.isArray(options.samples) ? options.samples : [options.samples as Node];
  // Level ℓ approximates its bottom-left quadrant (non-causal) with the samples of level ℓ.
  const nonCausal = (q: Node, k: Node, v: Node, level: number, levelName: string): HyperPart => {
    const [, levelHeads, levelQueries] = q.shape as [number, number, number];
    const levelKeys = k.shape[2] as number;
    const levelSettings = { ...settings, name: levelName };
    if (minSeqLen > levelQueries) return exactAttention(q, k, v, levelSettings, false);
    if (levelKeys % blockSize !== 0)
      fail('key', `a length that blockSize ${blockSize} divides (level ${level})`, levelKeys);
    const blocks = levelKeys / blockSize;
    if (levelQueries % blocks !== 0)
      fail('query', `a length that the ${blocks} blocks divide (level ${level})`, levelQueries);
    const samples = sampleList[level];
    if (
      samples === undefined ||
      samples.rank !== 3 ||
      samples.shape[0] !== batch ||
      samples.shape[1] !== levelHeads ||
      samples.dtype !== 'i32'
    )
      fail(
        isCausal ? `samples[${level}]` : 'samples',
        `[${batch}, ${levelHeads}, m] i32`,
        samples === undefined ? 'none' : `${samples.shape.join(', ')} ${samples.dtype}`,
      );
    return sortedBlockAttention(q, k, v, samples!, levelSettings);
  };
  const causalPart = (q: Node, k: Node, v: Node, level: number): HyperPart => {
    const [, levelHeads, n] = q.shape as [number, number, number];
    const levelName = `${name}.level${level}`;
    if (n <= minSeqLen) return exactAttention(q, k, v, { ...settings, name: levelName }, true);
    if (n % 2 !== 0) fail('query', `an even length at level ${level} (the paper pads it)`, n);
    const half = n / 2;
    const halves = (x: Node) => reshape(x, [batch, 2 * levelHeads, half, x.shape[3]!]);
    const rows = (x: Node, start: number, end: number) =>
      slice(x, [0, 0, start, 0].slice(0, x.rank), [SLICE_END, SLICE_END, end, SLICE_END].slice(0, x.rank));
    const diagonal = causalPart(halves(q), halves(k), halves(v), level + 1);
    const output = reshape(diagonal.output, [batch, levelHeads, n, diagonal.output.shape[3]!]);
    const logSumExp = reshape(diagonal.logSumExp, [batch, levelHeads, n]);
    const bottomLeft = nonCausal(
      rows(q, half, n),
      rows(k, 0, half),
      rows(v, 0, half),
      level,
      `${levelName}.lower`,
    );
    const down = mergeAttention(
      [{ output: rows(output, half, n), logSumExp: rows(logSumExp, half, n) }, bottomLeft],
      { name: `${levelName}.merge` },
    );
    return {
      output: concat([rows(output, 0, half), down.output], 2),
      logSumExp: concat([rows(logSumExp, 0, half), down.logSumExp], 2),
    };
  };
  return withLabel(name, () => {
    if (!isCausal) return nonCausal(query, key, value, 0, name);
    if (queries !== keys) fail('query', `as many queries as keys (${keys}) when causal`, queries);
    const { output, logSumExp } = causalPart(query, key, value, 0);
    return { output, logSumExp };
  });
}
