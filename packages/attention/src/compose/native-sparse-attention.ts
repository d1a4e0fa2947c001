import {
  add,
  constant,
  matmul,
  mul,
  type Node,
  permute,
  reshape,
  SpecError,
  sigmoid,
  slice,
  tensorRef,
} from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { BLOCK_TABLE_MULTIPLE, blockTable } from '../masks/block-table.js';
import { causal, slidingWindow } from '../masks/builtin-masks.js';
import { and } from '../masks/combine-masks.js';
import { customMask } from '../masks/custom-mask.js';
import { attention } from '../spec/attention-spec.js';
import { checkOptions, checkSize } from '../spec/validate.js';
import { compressBlocks, compressedBlockCount, type NsaCompressionMlp } from './nsa-compression.js';
import { type NsaBlockTables, nsaBlockTables } from './nsa-selection.js';

const i32 = (value: number) => constant(value, 'i32');

/** The gate projection of NSA: g^c_t = σ(x_t W + b), one gate per head and branch. */
export interface NsaGate {
  /** The token states x `[batch, N, model]` the gates are computed from. */
  readonly x: Node;
  /** W `[model, heads·3]`; column h·3 + c gates branch c (0 compressed, 1 selected, 2 window) of head h. */
  readonly weight: Node;
  /** b `[heads·3]` (optional). */
  readonly bias?: Node;
}

/** Options of {@link nativeSparseAttention}. */
export interface NativeSparseAttentionOptions {
  /** l, tokens per compressed block (the paper: 32). */
  readonly blockLength: number;
  /** d, stride of the compressed blocks, a divisor of l and l′ (the paper: 16). */
  readonly stride: number;
  /** l′, tokens per selection block: a multiple of 32, the kernel's key tile (the paper: 64). */
  readonly selectBlock: number;
  /** n, selection blocks per query, the first and 2 local blocks included (the paper: 16). */
  readonly selectCount: number;
  /** w, keys of the sliding window, the query included (the paper: 512). */
  readonly window: number;
  /** The gates' projection (see {@link NsaGate}). */
  readonly gate: NsaGate;
  /** φ for keys and values as MLP weights; default the block mean (the fla implementations' choice). */
  readonly compression?: { readonly key: NsaCompressionMlp; readonly value: NsaCompressionMlp };
  /** Block name: prefixes the kernels' labels and the selection tables. Default `nsa`. */
  readonly name?: string;
}

/** What {@link nativeSparseAttention} builds. */
export interface NativeSparseAttentionResult {
  /** o_t = Σ_c g^c_t · o^c_t, `[batch, heads, N, valueDim]`. */
  readonly output: Node;
  /** Each branch's attention output, `[batch, heads, N, valueDim]`. */
  readonly branches: { readonly compressed: Node; readonly selected: Node; readonly window: Node };
  /** The gates σ(x W + b), `[batch, heads, N, 3]` (compressed, selected, window). */
  readonly gates: Node;
  /** The selection tables built on the device (the NSA selection of the compressed branch). */
  readonly selection: NsaBlockTables;
}

/**
 * Native Sparse Attention (Yuan et al. 2025, DeepSeek; the base of ASA, catalog paper 94) over
 * causal self-attention, `query` `[batch, heads, N, e]`, `key` `[batch, kvHeads, N, e]` (GQA when
 * kvHeads < heads), `value` `[batch, kvHeads, N, e_v]`, N a multiple of l′:
 * o_t = Σ_{c∈{cmp,slc,win}} g^c_t · Attn(q_t, K^c_t, V^c_t), g^c_t = σ(x_t W + b).
 *
 * - **Compressed**: K^cmp, V^cmp are φ of blocks of l tokens every d (`compressBlocks`); query t sees
 *   block i when it ends at or before t (i·d + l − 1 ≤ t). One fused kernel over the N_c blocks,
 *   which also writes the row log-sum-exp.
 * - **Selected**: block importance from the compressed branch's probabilities (exp(s − lse), the
 *   kernel's own LSE), aggregated onto blocks of l′, summed over each GQA group, top n with the
 *   first and 2 local blocks forced (`nsaBlockTables`, graph ops on the device); the fused kernel
 *   reads the tables (`blockTable` with per-query `tokens`, ∩ causal) and walks only the listed key
 *   tiles.
 * - **Window**: the fused kernel with `slidingWindow(w)`.
 *
 * @example
 * ```ts
 * const [q, k, v] = ['q', 'k', 'v'].map((name) => input(name, [1, 4, 256, 16]));
 * const gate = { x: input('x', [1, 256, 32]), weight: param('nsa.gate', [32, 12]) };
 * const { output } = nativeSparseAttention({ query: q!, key: k!, value: v! }, {
 *   blockLength: 32, stride: 16, selectBlock: 64, selectCount: 2, window: 64, gate,
 * });
 * ```
 */
export function nativeSparseAttention(
  inputs: { readonly query: Node; readonly key: Node; readonly value: Node },
  options: NativeSparseAttentionOptions,
): NativeSparseAttentionResult {
  const checked = checkNsa(inputs, options);
  const { name, batch, heads, kvHeads, n, headDim, valueDim } = checked;
  const { blockLength: length, stride, selectBlock, selectCount, window } = checked;
  const { query, key, value } = inputs;
  const geometry = { length, stride };
  const compressedKey = compressBlocks(key, geometry, options.compression?.key, {
    block: name,
    tensor: 'key',
  });
  const compressedValue = compressBlocks(value, geometry, options.compression?.value, {
    block: name,
    tensor: 'value',
  });
  const shape = { heads, kvHeads, headDim, valueDim };
  // Compressed block i ends at token i·d + l − 1: a query sees the blocks that end at or before it.
  const endsBefore = customMask(
    ({ q, k }) =>
      k
        .mul(i32(stride))
        .add(i32(length - 1))
        .le(q),
    {
      description: `nsaCompressed(l ${length}, d ${stride})`,
      blockRule: ({ queryStart, queryEnd, keyStart, keyEnd }) => ({
        empty: keyStart
          .mul(i32(stride))
          .add(i32(length - 1))
          .gt(queryEnd),
        full: keyEnd
          .mul(i32(stride))
          .add(i32(length - 1))
          .le(queryStart),
      }),
    },
  );
  const compressedSpec = attention({
    ...shape,
    name: `${name}.compressed`,
    mask: endsBefore,
    outputs: { logSumExp: true },
  });
  const compressed = applyAttention(compressedSpec, {
    query,
    key: compressedKey,
    value: compressedValue,
  });
  const selection = nsaBlockTables(
    query,
    compressedKey,
    compressed.logSumExp!,
    { length, stride, selectBlock, selectCount },
    1 / Math.sqrt(headDim),
  );
  const blocks = n / selectBlock;
  const tableName = `${name}.table`;
  const tokensName = `${name}.tokens`;
  const selectedMask = and(
    causal(),
    blockTable(tensorRef(tableName, [batch, heads, blocks, blocks], 'i32'), {
      blockSize: selectBlock,
      tokens: tensorRef(tokensName, [batch, heads, n, blocks], 'i32'),
    }),
  );
  const selected = applyAttention(attention({ ...shape, name: `${name}.selected`, mask: selectedMask }), {
    query,
    key,
    value,
    tensors: { [tableName]: selection.table, [tokensName]: selection.tokens },
  }).output;
  const windowed = applyAttention(
    attention({ ...shape, name: `${name}.window`, mask: slidingWindow(window) }),
    {
      query,
      key,
      value,
    },
  ).output;
  const gates = gateValues(options.gate, { name, batch, heads, n });
  const branch = (index: number, output: Node) =>
    mul(slice(gates, [0, 0, 0, index], [batch, heads, n, index + 1]), output);
  const output = add(add(branch(0, compressed.output), branch(1, selected)), branch(2, windowed));
  return {
    output,
    branches: { compressed: compressed.output, selected, window: windowed },
    gates,
    selection,
  };
}

/** σ(x W + b) as `[batch, heads, N, 3]`. */
function gateValues(
  gate: NsaGate,
  sizes: { readonly name: string; readonly batch: number; readonly heads: number; readonly n: number },
): Node {
  const { name, batch, heads, n } = sizes;
  const x = gate.x;
  const model = x.shape[2] as number;
  checkShape(gate.weight, [model, heads * 3], name, 'gate.weight');
  if (gate.bias !== undefined) checkShape(gate.bias, [heads * 3], name, 'gate.bias');
  const logits = matmul(x, gate.weight);
  const biased = gate.bias === undefined ? logits : add(logits, gate.bias);
  return permute(reshape(sigmoid(biased), [batch, n, heads, 3]), [0, 2, 1, 3]);
}

function checkNsa(
  inputs: { readonly query: Node; readonly key: Node; readonly value: Node },
  options: NativeSparseAttentionOptions,
) {
  const builder = 'nativeSparseAttention';
  checkOptions(
    builder,
    options,
    ['blockLength', 'stride', 'selectBlock', 'selectCount', 'window', 'gate', 'compression', 'name'],
    true,
  );
  const name = options.name ?? 'nsa';
  if (typeof name !== 'string' || name === '')
    throw new SpecError(`${builder}: option "name" must be a non-empty string`, { actual: String(name) });
  const blockLength = checkSize(builder, 'option "blockLength"', options.blockLength);
  const stride = checkSize(builder, 'option "stride"', options.stride);
  const selectBlock = checkSize(builder, 'option "selectBlock"', options.selectBlock);
  const selectCount = checkSize(builder, 'option "selectCount"', options.selectCount);
  const window = checkSize(builder, 'option "window"', options.window);
  const rank4 = (node: Node, tensor: string) => {
    if (node?.rank !== 4 || !node.shape.every((size) => typeof size === 'number'))
      throw new SpecError(
        `${builder} "${name}": ${tensor} must be [batch, heads, N, dim] with static sizes`,
        {
          block: name,
          tensor,
          expected: 'rank 4, static',
          actual: node?.shape === undefined ? String(node) : `[${node.shape.map(String).join(', ')}]`,
        },
      );
    return node.shape as [number, number, number, number];
  };
  const [batch, heads, n, headDim] = rank4(inputs.query, 'query');
  const [, kvHeads] = rank4(inputs.key, 'key');
  const [, , , valueDim] = rank4(inputs.value, 'value');
  if (heads % kvHeads !== 0)
    throw new SpecError(`${builder} "${name}": the key heads must divide the query heads`, {
      block: name,
      tensor: 'key',
      dimension: 1,
      expected: `a divisor of ${heads}`,
      actual: kvHeads,
    });
  checkShape(inputs.key, [batch, kvHeads, n, headDim], name, 'key');
  checkShape(inputs.value, [batch, kvHeads, n, valueDim], name, 'value');
  const rule = (ok: boolean, option: string, expected: string, actual: number) => {
    if (!ok)
      throw new SpecError(`${builder} "${name}": option "${option}" must be ${expected}`, {
        block: name,
        expected,
        actual,
      });
  };
  rule(blockLength % stride === 0, 'stride', `a divisor of blockLength (${blockLength})`, stride);
  rule(
    selectBlock % BLOCK_TABLE_MULTIPLE === 0 && selectBlock % stride === 0,
    'selectBlock',
    `a multiple of the kernel's key tile (${BLOCK_TABLE_MULTIPLE}) and of the stride (${stride})`,
    selectBlock,
  );
  rule(n % selectBlock === 0, 'selectBlock', `a divisor of the sequence length N = ${n}`, selectBlock);
  rule(blockLength <= n, 'blockLength', `at most the sequence length N = ${n}`, blockLength);
  if (compressedBlockCount(n, { length: blockLength, stride }) < 1)
    rule(false, 'blockLength', `at most N = ${n}`, blockLength);
  const x = options.gate?.x;
  if (x?.rank !== 3 || x.shape[0] !== batch || x.shape[1] !== n || typeof x.shape[2] !== 'number')
    throw new SpecError(`${builder} "${name}": gate.x must be [batch, N, model] like the query`, {
      block: name,
      tensor: 'gate.x',
      expected: `[${batch}, ${n}, model]`,
      actual: x?.shape === undefined ? String(x) : `[${x.shape.map(String).join(', ')}]`,
    });
  return {
    name,
    batch,
    heads,
    kvHeads,
    n,
    headDim,
    valueDim,
    blockLength,
    stride,
    selectBlock,
    selectCount,
    window,
  };
}

function checkShape(node: Node, expected: readonly number[], block: string, tensor: string): void {
  const shape = node?.shape;
  if (
    !Array.isArray(shape) ||
    shape.length !== expected.length ||
    shape.some((size, axis) => size !== expected[axis])
  )
    throw new SpecError(`nativeSparseAttention "${block}": ${tensor} has the wrong shape`, {
      block,
      tensor,
      expected: `[${expected.join(', ')}]`,
      actual: Array.isArray(shape) ? `[${shape.map(String).join(', ')}]` : String(shape),
    });
}
