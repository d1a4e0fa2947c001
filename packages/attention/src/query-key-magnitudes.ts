import { mul, type Node, sqrt, sum } from '@weft/ir';
import type { AttentionInputs } from './apply-attention.js';
import { hoistQkTransforms } from './qk-transforms-before-kernel.js';
import type { AttentionSpec } from './spec/attention-spec.js';

/** Per-dimension magnitudes of Q and K, from {@link queryKeyMagnitudes}. */
export interface QueryKeyMagnitudes {
  /** ‖Q_{b,h,·,d}‖₂ over the tokens, before the spec's QK norm and RoPE: `[batch, heads, headDim]`. */
  readonly query: Node;
  /** ‖K_{b,h,·,d}‖₂ over the tokens, before QK norm and RoPE: `[batch, kvHeads, headDim]`. */
  readonly key: Node;
  /** The same after the spec's QK norm and RoPE (what the score's dot product sees). */
  readonly rotatedQuery: Node;
  /** The same for the keys after QK norm and RoPE. */
  readonly rotatedKey: Node;
}

/**
 * The per-dimension magnitude statistics of "Massive Values in Self-Attention Modules" (Jin et al.
 * 2025, catalog paper 92): for each head and dimension d, the L2 norm over the tokens,
 * M_{h,d} = (Σ_t x_{t,h,d}²)^½, of the queries and keys before and after the spec's RoPE (and QK
 * norm). Massive values show as a few dimensions of Q and K whose norm dwarfs the rest, concentrated
 * by RoPE in its low-frequency pairs. Graph ops over the same Q and K the attention reads (the
 * rotation is the one the attention op applies, see {@link hoistQkTransforms}); the paper's
 * intervention — overwriting the massive dimensions, e.g. with their mean, before attention — is a
 * graph op on Q and K too.
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, positions: rope(), mask: causal() });
 * const query = input('q', [1, 4, 24, 16]);
 * const key = input('k', [1, 4, 24, 16]);
 * const { rotatedQuery, rotatedKey } = queryKeyMagnitudes(spec, { query, key }); // [1, 4, 16] each
 * ```
 */
export function queryKeyMagnitudes(
  spec: AttentionSpec,
  inputs: Pick<AttentionInputs, 'query' | 'key' | 'tensors'>,
): QueryKeyMagnitudes {
  const rotated = hoistQkTransforms(spec, { ...inputs, value: inputs.key }).inputs;
  return {
    query: tokenNorms(inputs.query),
    key: tokenNorms(inputs.key),
    rotatedQuery: tokenNorms(rotated.query),
    rotatedKey: tokenNorms(rotated.key),
  };
}

/** `[B, H, N, D]` → `[B, H, D]`: the L2 norm of each dimension over the tokens. */
function tokenNorms(x: Node): Node {
  return sqrt(sum(mul(x, x), 2));
}
