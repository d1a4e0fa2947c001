import { add, constant, type Node, reshape, SpecError, slice, sub } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { causal, slidingWindow } from '../masks/builtin-masks.js';
import { and, or } from '../masks/combine-masks.js';
import { customMask } from '../masks/custom-mask.js';
import type { Mask } from '../masks/mask.js';
import { attention } from '../spec/attention-spec.js';
import { checkOptions, checkSize } from '../spec/validate.js';

const i32 = (value: number) => constant(value, 'i32');

/** Options of {@link deltaAttention}. */
export interface DeltaAttentionOptions {
  /** γ (`delta_lambda`): one query in γ gets dense attention; N must be a multiple of γ. */
  readonly gamma: number;
  /** w, keys of the sparse branch's sliding window, the query included. */
  readonly window: number;
  /** Sink tokens: the first `sink` keys, which every (later) query of the sparse branch also sees. */
  readonly sink: number;
  /** Block name: prefixes the kernels' labels. Default `delta`. */
  readonly name?: string;
}

/** What {@link deltaAttention} builds. */
export interface DeltaAttentionResult {
  /** O_i = O^sparse_i + Δ_{⌊i/γ⌋}, `[batch, heads, N, valueDim]`. */
  readonly output: Node;
  /** O^sparse: causal attention over the sink tokens and the window, `[batch, heads, N, valueDim]`. */
  readonly sparse: Node;
  /** Δ_r = O^full_{rγ} − O^sparse_{rγ}, `[batch, heads, N/γ, valueDim]`. */
  readonly delta: Node;
}

/**
 * Δ Attention (Willette, Lee, Hwang 2025, catalog paper 65) for causal self-attention prefill,
 * `query` `[batch, heads, N, e]`, `key` `[batch, kvHeads, N, e]`, `value` `[batch, kvHeads, N, e_v]`:
 * the sparse attention of every query (sink tokens + sliding window, causal) is corrected by the
 * difference to dense causal attention measured at one query per block of γ,
 *
 *   Δ_r = O^full_{rγ} − O^sparse_{rγ},  O_i = O^sparse_i + Δ_{⌊i/γ⌋}.
 *
 * The representative of block r is its first query, rγ, as the official code takes
 * `arange(0, N, step=γ)` and adds Δ to the γ outputs after it; so the representatives get exactly
 * dense attention. Three kernels: the sparse kernel (tiles outside the window and the sinks
 * skipped), a dense causal kernel over the N/γ strided queries (query r at position rγ), and one
 * elementwise kernel for Δ and its broadcast. The official code also computes its last
 * N mod γ + max(128, γ) queries densely; that tail is not built here.
 *
 * @example
 * ```ts
 * const [query, key, value] = ['q', 'k', 'v'].map((name) => input(name, [1, 4, 1024, 64]));
 * const { output } = deltaAttention({ query: query!, key: key!, value: value! }, { gamma: 64, window: 256, sink: 16 });
 * ```
 */
export function deltaAttention(
  inputs: { readonly query: Node; readonly key: Node; readonly value: Node },
  options: DeltaAttentionOptions,
): DeltaAttentionResult {
  const { name, batch, heads, kvHeads, n, headDim, valueDim, gamma, window, sink } = checkDelta(
    inputs,
    options,
  );
  const { query, key, value } = inputs;
  const shape = { heads, kvHeads, headDim, valueDim };
  const sinkKeys = customMask(({ k }) => k.lt(i32(sink)), {
    description: `sinkTokens(${sink})`,
    blockRule: ({ keyStart, keyEnd }) => ({ empty: keyStart.ge(i32(sink)), full: keyEnd.lt(i32(sink)) }),
  });
  const sparseMask: Mask = or(slidingWindow(window), and(causal(), sinkKeys));
  const sparse = applyAttention(attention({ ...shape, name: `${name}.sparse`, mask: sparseMask }), {
    query,
    key,
    value,
  }).output;
  // Query r of the strided subset sits at position rγ: causal means k ≤ rγ.
  const strided = customMask(({ q, k }) => k.le(q.mul(i32(gamma))), {
    description: `causalStrided(${gamma})`,
    blockRule: ({ queryStart, queryEnd, keyStart, keyEnd }) => ({
      empty: keyStart.gt(queryEnd.mul(i32(gamma))),
      full: keyEnd.le(queryStart.mul(i32(gamma))),
    }),
  });
  const blocks = n / gamma;
  const representatives = slice(query, [0, 0, 0, 0], [batch, heads, n, headDim], [1, 1, gamma, 1]);
  const dense = applyAttention(attention({ ...shape, name: `${name}.dense`, mask: strided }), {
    query: representatives,
    key,
    value,
  }).output;
  const sparseAtRepresentatives = slice(sparse, [0, 0, 0, 0], [batch, heads, n, valueDim], [1, 1, gamma, 1]);
  const delta = sub(dense, sparseAtRepresentatives);
  const corrected = add(
    reshape(sparse, [batch, heads, blocks, gamma, valueDim]),
    reshape(delta, [batch, heads, blocks, 1, valueDim]),
  );
  return { output: reshape(corrected, [batch, heads, n, valueDim]), sparse, delta };
}

function checkDelta(
  inputs: { readonly query: Node; readonly key: Node; readonly value: Node },
  options: DeltaAttentionOptions,
) {
  const builder = 'deltaAttention';
  checkOptions(builder, options, ['gamma', 'window', 'sink', 'name'], true);
  const name = options.name ?? 'delta';
  if (typeof name !== 'string' || name === '')
    throw new SpecError(`${builder}: option "name" must be a non-empty string`, { actual: String(name) });
  const gamma = checkSize(builder, 'option "gamma"', options.gamma);
  const window = checkSize(builder, 'option "window"', options.window);
  const sink = checkSize(builder, 'option "sink"', options.sink, 0);
  const rank4 = (node: Node | undefined, tensor: string) => {
    const shape = node?.shape;
    if (shape?.length !== 4 || !shape.every((size) => typeof size === 'number'))
      throw new SpecError(
        `${builder} "${name}": ${tensor} must be [batch, heads, N, dim] with static sizes`,
        {
          block: name,
          tensor,
          expected: 'rank 4, static',
          actual: shape === undefined ? String(node) : `[${shape.map(String).join(', ')}]`,
        },
      );
    return shape as [number, number, number, number];
  };
  const [batch, heads, n, headDim] = rank4(inputs.query, 'query');
  const [keyBatch, kvHeads, keys, keyDim] = rank4(inputs.key, 'key');
  const [valueBatch, valueHeads, values, valueDim] = rank4(inputs.value, 'value');
  const mismatch = (tensor: string, expected: string, actual: string) => {
    throw new SpecError(`${builder} "${name}": ${tensor} does not match the query`, {
      block: name,
      tensor,
      expected,
      actual,
    });
  };
  if (keyBatch !== batch || keys !== n || keyDim !== headDim || heads % kvHeads !== 0)
    mismatch(
      'key',
      `[${batch}, a divisor of ${heads}, ${n}, ${headDim}]`,
      `[${inputs.key.shape.join(', ')}]`,
    );
  if (valueBatch !== batch || valueHeads !== kvHeads || values !== n)
    mismatch('value', `[${batch}, ${kvHeads}, ${n}, valueDim]`, `[${inputs.value.shape.join(', ')}]`);
  if (n % gamma !== 0)
    throw new SpecError(`${builder} "${name}": option "gamma" must divide the sequence length N = ${n}`, {
      block: name,
      expected: `a divisor of ${n}`,
      actual: gamma,
    });
  return { name, batch, heads, kvHeads, n, headDim, valueDim, gamma, window, sink };
}
