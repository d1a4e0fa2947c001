import { makeNode, maxDim, type Node, param, SpecError, withLabel } from '@weft/ir';
import { applyMultiToken } from './apply-multi-token.js';
import { type AttentionOutputKind, encodeAttention } from './op/attention-attrs.js';
import { recordMaskDescription } from './op/attention-description.js';
import { attentionOpForNormalizer } from './op/attention-op.js';
import {
  chooseQkTransformPlacement,
  hasQkTransforms,
  hoistQkTransforms,
  type QkTransformPlacement,
} from './qk-transforms-before-kernel.js';
import type { AttentionSpec } from './spec/attention-spec.js';

/** The tensors an attention spec is applied to. */
export interface AttentionInputs {
  /** Queries `[batch, heads, queries, headDim]`. */
  readonly query: Node;
  /** Keys `[batch, kvHeads, keys, headDim]`. */
  readonly key: Node;
  /** Values `[batch, valueHeads, keys, valueDim]` (valueHeads = kvHeads unless the spec decouples them). */
  readonly value: Node;
  /**
   * Tensors captured by the spec's score mods, masks and normalizer (`tensorRef` names), by name.
   * The spec's own learned parameters (`${name}.qNorm.gamma`, `${name}.kvWeights`, ...) become
   * `param` nodes of those names unless given here.
   */
  readonly tensors?: Readonly<Record<string, Node>>;
}

/** How {@link applyAttention} lowers a spec. */
export interface ApplyAttentionOptions {
  /**
   * Where QK norm and RoPE (and weighted GQA's head mix before them) run: in the attention kernel
   * or as ops before it (see {@link QkTransformPlacement}). Default `auto`.
   */
  readonly qkTransforms?: QkTransformPlacement;
}

/** The nodes an applied attention spec produces. */
export interface AttentionResult {
  /** O `[batch, heads, queries, valueDim]`. */
  readonly output: Node;
  /** Row log-sum-exp `[batch, heads, queries]`, when the spec asks for it. */
  readonly logSumExp?: Node;
  /** Row max of the kept scores `[batch, heads, queries]`, when the spec asks for it. */
  readonly rowMax?: Node;
  /** Row entropy −Σ_j p_ij log p_ij `[batch, heads, queries]`, when the spec asks for it. */
  readonly entropy?: Node;
  /** Weight of each query on its own key position `[batch, heads, queries]`, when asked for. */
  readonly diagonal?: Node;
  /** Probability mass per key segment `[batch, heads, queries, segments]`, when asked for. */
  readonly segmentMass?: Node;
  /** Probabilities of the probed query rows `[batch, heads, rows, keys]`, when asked for. */
  readonly probeRows?: Node;
  /** Mass per clipped relative offset `[batch, heads, queries, 2K + 1]`, when asked for. */
  readonly relativeMass?: Node;
}

/**
 * Applies an attention spec to query, key and value nodes: one `attention` IR node (one more for
 * each requested extra output: log-sum-exp, row max; the fused plan computes them all in one
 * kernel, one pass over the keys), after ops that prepare Q and K when
 * `options.qkTransforms` places QK norm and RoPE before the kernel (always, when the mask builds
 * tensors from them: `mobaSelection`), and the ops that build the mask's derived tensors (its
 * block table) unless `inputs.tensors` binds them. The nodes it builds are
 * labelled with the spec's name (see `withLabel` in `@weft/ir`), so its kernel is named after the
 * block: `layers.0.attn · attention (causal(bottom-right), softmax)`. A spec with a `scoreMap` (Multi-Token
 * Attention) becomes `attention.multiToken` nodes instead: one kernel, two with post-softmax head
 * mixing, no N×N buffer. Throws a `WeftError` naming the block for shape mismatches, a missing
 * or unused captured tensor, or a captured tensor of the wrong shape.
 *
 * @example
 * ```ts
 * const seq = symbolicDim('seq', { max: 512 });
 * const q = input('q', [1, 8, seq, 64]);
 * const k = input('k', [1, 8, seq, 64]);
 * const v = input('v', [1, 8, seq, 64]);
 * const { output } = applyAttention(attention({ heads: 8, headDim: 64, mask: causal() }), { query: q, key: k, value: v });
 * ```
 */
export function applyAttention(
  spec: AttentionSpec,
  inputs: AttentionInputs,
  options: ApplyAttentionOptions = {},
): AttentionResult {
  // The nodes built here carry the block's name (`layers.0.attn`) into kernel labels and WGSL.
  return withLabel(spec.name, () => buildAttention(spec, inputs, options));
}

function buildAttention(
  spec: AttentionSpec,
  inputs: AttentionInputs,
  options: ApplyAttentionOptions,
): AttentionResult {
  // Multi-Token Attention's score map has kernels of its own (see applyMultiToken).
  if (spec.scoreMap !== undefined) return applyMultiToken(spec, inputs);
  // Tensors the mask builds from q and k (MoBA's block table) see them after RoPE and QK norm.
  const derived = (spec.mask?.derived ?? []).filter(
    (entry) => inputs.tensors === undefined || !Object.hasOwn(inputs.tensors, entry.name),
  );
  if (derived.length > 0 && hasQkTransforms(spec)) {
    const hoisted = withLabel(`${spec.name}.qk`, () => hoistQkTransforms(spec, inputs));
    return applyAttention(hoisted.spec, hoisted.inputs, { qkTransforms: 'inKernel' });
  }
  const keyLength = inputs.key.shape[2];
  const maxKeys = keyLength === undefined ? 1 : maxDim(keyLength);
  const attrs = encodeAttention(spec, maxKeys, 'output');
  const uses = attrs.tensors as readonly { name: string; roles: readonly number[] | null }[];
  const names = uses.map((use) => use.name);
  // A Map: tensors named `constructor`, `toString` or `__proto__` are ordinary names.
  const given = inputs.tensors ?? {};
  const bound = new Map<string, Node>(Object.entries(given));
  for (const entry of derived) {
    const node = withLabel(`${spec.name}.${entry.name}`, () =>
      entry.build({ query: inputs.query, key: inputs.key, tensor: (name) => bound.get(name) }),
    );
    bound.set(entry.name, node);
  }
  for (const name of ownedParameters(attrs)) {
    const roles = uses.find((use) => use.name === name)!.roles!;
    if (!bound.has(name)) bound.set(name, param(name, roles));
  }
  for (const name of names) {
    if (bound.get(name) === undefined) {
      throw new SpecError(`attention "${spec.name}": captured tensor "${name}" is not bound`, {
        block: spec.name,
        tensor: name,
        expected: 'a node in inputs.tensors',
      });
    }
  }
  for (const name of bound.keys()) {
    if (ownedParameters(attrs).includes(name)) continue;
    if (!names.includes(name)) {
      throw new SpecError(`attention "${spec.name}": tensor "${name}" is not read by the spec`, {
        block: spec.name,
        tensor: name,
        expected: names.join(', ') || 'no tensors',
      });
    }
  }
  const operands = [inputs.query, inputs.key, inputs.value, ...names.map((name) => bound.get(name)!)];
  // The op knows the normalizer's def: the built-ins' op, or one derived for a user-defined normalizer.
  const op = attentionOpForNormalizer(spec.normalizer.def);
  // Built in either placement: the op checks the shapes and names the block in its errors.
  const output = makeNode(op, operands, attrs, spec.name);
  const requested = options.qkTransforms ?? 'auto';
  const placement =
    requested === 'auto'
      ? chooseQkTransformPlacement(spec, inputs.query.shape[2] ?? 1, keyLength ?? 1)
      : requested;
  if (placement === 'beforeKernel' && hasQkTransforms(spec)) {
    const hoisted = withLabel(`${spec.name}.qk`, () => hoistQkTransforms(spec, inputs));
    return applyAttention(hoisted.spec, hoisted.inputs, { qkTransforms: 'inKernel' });
  }
  if (spec.mask !== undefined) recordMaskDescription(output, spec.mask.description);
  // Labelled `${name}.logSumExp`, `${name}.rowMax`: their buffers are named after what they hold.
  const extra = (kind: Exclude<AttentionOutputKind, 'output'>) => {
    const node = withLabel(`${spec.name}.${kind}`, () =>
      makeNode(op, operands, { ...attrs, output: kind }, spec.name),
    );
    if (spec.mask !== undefined) recordMaskDescription(node, spec.mask.description);
    return node;
  };
  return {
    output,
    ...(spec.outputs.logSumExp ? { logSumExp: extra('logSumExp') } : {}),
    ...(spec.outputs.rowMax ? { rowMax: extra('rowMax') } : {}),
    ...(spec.outputs.entropy ? { entropy: extra('entropy') } : {}),
    ...(spec.outputs.diagonal ? { diagonal: extra('diagonal') } : {}),
    ...(spec.outputs.segmentMass.length > 0 ? { segmentMass: extra('segmentMass') } : {}),
    ...(spec.outputs.probeRows.length > 0 ? { probeRows: extra('probeRows') } : {}),
    ...(spec.outputs.relativeMass > 0 ? { relativeMass: extra('relativeMass') } : {}),
  };
}

/** Names of the learned parameters the spec owns (QK-norm γ and β, weighted-GQA weights). */
function ownedParameters(attrs: ReturnType<typeof encodeAttention>): string[] {
  const norm = attrs.qkNorm as {
    query: Record<string, string | null>;
    key: Record<string, string | null>;
  } | null;
  const names = norm === null ? [] : [norm.query, norm.key].flatMap((side) => Object.values(side));
  return [...names, attrs.kvWeights].filter((name): name is string => typeof name === 'string');
}
