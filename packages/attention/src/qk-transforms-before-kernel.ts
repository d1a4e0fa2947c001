import {
  constant,
  type Dim,
  dimExpr,
  Expr,
  exprNodes,
  maxDim,
  type Node,
  param,
  UnsupportedError,
} from '@weft/ir';
import type { AttentionInputs } from './apply-attention.js';
import { type AttentionAttrs, decodeAttention, encodeAttention } from './op/attention-attrs.js';
import { attentionOpForNormalizer } from './op/attention-op.js';
import { mixHeads, normalizeRows, rotate } from './op/decompose-attention.js';
import { QUERY_BLOCK } from './query-block.js';
import type { AttentionSpec } from './spec/attention-spec.js';
import { VARIABLE_NAMES } from './spec/attention-variables.js';
import { nope } from './spec/positions.js';

/**
 * Where `applyAttention` applies the spec's QK norm and RoPE (with weighted GQA's head mix, which
 * comes before them):
 * - `inKernel`: the attention kernel prepares each Q row as it loads it and each K row as it stages
 *   a key tile, once per query block, so the K work grows with Nq/32 · Nk;
 * - `beforeKernel`: primitive ops on Q and K (the decomposition's math, fused into their own
 *   kernels) prepare every row once, and the attention kernel runs a spec without them;
 * - `auto`: `beforeKernel` when the maximum key length is at least
 *   {@link QK_TRANSFORMS_BEFORE_KERNEL_MIN_KEYS} and the queries span more than one query block.
 */
export type QkTransformPlacement = 'inKernel' | 'beforeKernel' | 'auto';

/**
 * The smallest maximum key length at which `auto` prepares Q and K before the kernel: in interleaved
 * runs of the RoPE + RMS-QK-norm bench case, hoisting won every run at 512 keys (0.82–0.99× the
 * in-kernel time) while at 64–256 keys the sign changed from run to run.
 */
export const QK_TRANSFORMS_BEFORE_KERNEL_MIN_KEYS = 512;

/**
 * The placement `auto` resolves to for `spec` on Q `[.., queries, d]` and K `[.., keys, d]`
 * (symbolic lengths at their maximum); `inKernel` when the spec has neither QK norm nor RoPE.
 */
export function chooseQkTransformPlacement(
  spec: AttentionSpec,
  queries: Dim,
  keys: Dim,
): 'inKernel' | 'beforeKernel' {
  if (!hasQkTransforms(spec)) return 'inKernel';
  // One query block prepares every K row once in the kernel too: nothing to save.
  if (maxDim(queries) <= QUERY_BLOCK) return 'inKernel';
  return maxDim(keys) >= QK_TRANSFORMS_BEFORE_KERNEL_MIN_KEYS ? 'beforeKernel' : 'inKernel';
}

/** Whether the spec normalizes or rotates Q and K (what `beforeKernel` can move out of the kernel). */
export function hasQkTransforms(spec: AttentionSpec): boolean {
  return spec.qkNorm !== undefined || spec.positions.name === 'rope';
}

/** A spec and inputs whose Q and K are already mixed, normalized and rotated. */
export interface HoistedAttention {
  /** The spec without QK norm, RoPE and weighted heads. */
  readonly spec: AttentionSpec;
  /** The prepared Q, K (and mixed V under weighted GQA), with the captured tensors the new spec reads. */
  readonly inputs: AttentionInputs;
}

/** Options of {@link hoistQkTransforms}. */
export interface HoistQkTransformsOptions {
  /**
   * A `[1]` i32 node: rotate query row i and key row i both at position `positionOffset + i`
   * (absolute positions of a step's new tokens after that many cached ones), instead of the
   * bottom-right alignment (query i at `i + Nk − Nq`, key k at `k`). For a KV cache that stores
   * keys already rotated, so that each key is rotated once, when written.
   */
  readonly positionOffset?: Node;
}

/**
 * Moves the spec's weighted-GQA mix, QK norm (with γ and β) and RoPE out of the attention op, in
 * that order, as primitive ops on Q and K (the same ops as the op's decomposition). The learned
 * parameters become `param` nodes of the spec's names unless `inputs.tensors` binds them. Works for
 * 1-D and 2-D RoPE and for weighted GQA (V is mixed too; the new spec has `kvHeads = heads`, so a
 * weighted-GQA spec whose score mods or masks read the KV or value head throws an
 * `UnsupportedError`).
 */
export function hoistQkTransforms(
  spec: AttentionSpec,
  inputs: AttentionInputs,
  options: HoistQkTransformsOptions = {},
): HoistedAttention {
  const [, , queries] = inputs.query.shape as [Dim, Dim, Dim];
  const keys = inputs.key.shape[2] ?? 1;
  const attrs = decodeAttention(
    encodeAttention(spec, maxDim(keys), 'output'),
    attentionOpForNormalizer(spec.normalizer.def).normalizers,
  );
  const owned = ownedParameterNames(attrs);
  const parameter = (name: string | null): Node | undefined => {
    if (name === null) return undefined;
    // The spec's own parameters have static sizes as their roles (`[headDim]`, `[heads, kvHeads]`).
    const roles = attrs.tensors.find((use) => use.name === name)?.roles ?? [];
    return (
      (inputs.tensors !== undefined && Object.hasOwn(inputs.tensors, name)
        ? inputs.tensors[name]
        : undefined) ?? param(name, roles as readonly number[])
    );
  };
  if (attrs.kvWeights !== null && readsGroupHeads(attrs)) {
    throw new UnsupportedError(
      `attention "${spec.name}": QK norm and RoPE cannot run before the kernel under weighted GQA when a score mod or mask reads kvHead or valueHead`,
      { block: spec.name, expected: "qkTransforms: 'inKernel'", actual: 'beforeKernel' },
    );
  }
  let { query, key, value } = inputs;
  if (attrs.kvWeights !== null) {
    const weights = parameter(attrs.kvWeights)!;
    key = mixHeads(key, weights, attrs.heads, attrs.kvHeads);
    value = mixHeads(value, weights, attrs.heads, attrs.kvHeads);
  }
  if (attrs.qkNorm !== null) {
    query = normalizeRows(query, attrs.qkNorm, attrs.qkNorm.query, parameter);
    key = normalizeRows(key, attrs.qkNorm, attrs.qkNorm.key, parameter);
  }
  const offset = options.positionOffset;
  if (attrs.rope !== null && offset !== undefined) {
    query = rotate(query, attrs.rope, constant(0, 'i32'), offset);
    key = rotate(key, attrs.rope, constant(0, 'i32'), offset);
  } else if (attrs.rope !== null) {
    query = rotate(query, attrs.rope, dimExpr(keys).sub(dimExpr(queries)));
    key = rotate(key, attrs.rope, constant(0, 'i32'));
  }
  const weighted = attrs.kvWeights !== null;
  const stripped: AttentionSpec = {
    ...spec,
    positions: spec.positions.name === 'rope' ? nope() : spec.positions,
    qkNorm: undefined,
    weightedHeads: false,
    kvHeads: weighted ? spec.heads : spec.kvHeads,
    valueHeads: weighted ? spec.heads : spec.valueHeads,
  };
  const rest = Object.entries(inputs.tensors ?? {}).filter(([name]) => !owned.includes(name));
  return {
    spec: stripped,
    inputs: { query, key, value, ...(rest.length > 0 ? { tensors: Object.fromEntries(rest) } : {}) },
  };
}

/** Names of the parameters the row preparation reads (QK-norm γ and β, weighted-GQA weights). */
function ownedParameterNames(attrs: AttentionAttrs): string[] {
  const sides = attrs.qkNorm === null ? [] : [attrs.qkNorm.query, attrs.qkNorm.key];
  const names = sides.flatMap((side) => [side.gamma, side.beta]);
  return [...names, attrs.kvWeights].filter((name): name is string => name !== null);
}

/** Whether the score, mask or normalizer reads the KV or value head (tensor reads index through them). */
function readsGroupHeads(attrs: AttentionAttrs): boolean {
  const headNames: readonly string[] = [VARIABLE_NAMES.kvHead, VARIABLE_NAMES.valueHead];
  const exprs = [attrs.score, attrs.mask, ...Object.values(attrs.normalizer)].filter(
    (value): value is Expr => value instanceof Expr,
  );
  return exprs.some((expr) =>
    exprNodes(expr).some((node) => node.kind === 'var' && headNames.includes(String(node.payload))),
  );
}
