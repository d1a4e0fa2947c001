import { type Dim, makeNode, type Node, param, SpecError, withLabel } from '@weft/ir';
import type { AttentionInputs, AttentionResult } from './apply-attention.js';
import { encodeMultiToken, type MultiTokenAttrs, type MultiTokenResult } from './op/multi-token-attrs.js';
import { multiTokenOp } from './op/multi-token-op.js';
import { hasQkTransforms, hoistQkTransforms } from './qk-transforms-before-kernel.js';
import type { AttentionSpec } from './spec/attention-spec.js';
import type { MultiTokenConvolution } from './spec/multi-token.js';

/**
 * Names of the learned tensors of a block's score-map stage (`multiTokenConvolution`): the kernel θ
 * `[H, c_q, c_k]`, the head mix `[H / c_h, c_h, c_h]` and the group-norm gain `[d_v]`.
 *
 * @example
 * ```ts
 * const { kernel, headMix } = multiTokenParameterNames('layers.2.attn'); // 'layers.2.attn.scoreMap.kernel', ...
 * ```
 */
export function multiTokenParameterNames(block: string) {
  return {
    kernel: `${block}.scoreMap.kernel`,
    headMix: `${block}.scoreMap.headMix`,
    normGain: `${block}.scoreMap.normGain`,
  } as const;
}

/**
 * Lowers a spec with a `scoreMap` (Multi-Token Attention): QK norm and RoPE as ops before (the
 * kernels read prepared rows), then one `attention.multiToken` output node — online softmax in one
 * kernel — or, with post-softmax head mixing, a statistics node before it (two kernels: the mix
 * needs every head's normalized probability). Neither kernel writes the N×N map: memory beyond the
 * operands and O is the `[B, H, N, 2]` statistics. Parameters are `param`s named after the block
 * unless `inputs.tensors` binds them. Under the causal mask the queries and keys must be the same
 * sequence (no cached decoding: the query-axis convolution reads the c_q − 1 rows before each
 * query).
 */
export function applyMultiToken(spec: AttentionSpec, inputs: AttentionInputs): AttentionResult {
  const scoreMap = spec.scoreMap!;
  if (hasQkTransforms(spec)) {
    const hoisted = withLabel(`${spec.name}.qk`, () => hoistQkTransforms(spec, inputs));
    return applyMultiToken(hoisted.spec, hoisted.inputs);
  }
  const names = multiTokenParameterNames(spec.name);
  const given = inputs.tensors ?? {};
  const mixGroup = scoreMap.headMixing?.groupSize ?? 1;
  const wanted: [string, readonly Dim[], boolean][] = [
    [names.kernel, [spec.heads, scoreMap.queryKernel, scoreMap.keyKernel], true],
    [names.headMix, [spec.heads / mixGroup, mixGroup, mixGroup], scoreMap.headMixing !== null],
    [names.normGain, [spec.valueDim], scoreMap.groupNorm !== null],
  ];
  for (const name of Object.keys(given))
    if (!wanted.some(([known, , used]) => used && known === name))
      throw new SpecError(`attention "${spec.name}": tensor "${name}" is not read by the spec`, {
        block: spec.name,
        tensor: name,
        expected: wanted
          .filter(([, , used]) => used)
          .map(([known]) => known)
          .join(', '),
      });
  const tensor = (name: string, shape: readonly Dim[]): Node =>
    Object.hasOwn(given, name) ? given[name]! : param(name, shape);
  const [kernel, headMix, normGain] = wanted.map(([name, shape, used]) =>
    used ? tensor(name, shape) : undefined,
  ) as [Node, Node | undefined, Node | undefined];
  const attrs = (result: MultiTokenResult) => multiTokenAttrs(spec, scoreMap, result);
  const present = (nodes: readonly (Node | undefined)[]) =>
    nodes.filter((node): node is Node => node !== undefined);
  const post = scoreMap.headMixing?.placement === 'postSoftmax';
  const stats = post
    ? withLabel(`${spec.name}.stats`, () =>
        makeNode(
          multiTokenOp,
          present([inputs.query, inputs.key, kernel]),
          encodeMultiToken(attrs('stats')),
          spec.name,
        ),
      )
    : undefined;
  const output = makeNode(
    multiTokenOp,
    present([inputs.query, inputs.key, inputs.value, kernel, headMix, normGain, stats]),
    encodeMultiToken(attrs('output')),
    spec.name,
  );
  return { output };
}

function multiTokenAttrs(
  spec: AttentionSpec,
  scoreMap: MultiTokenConvolution,
  result: MultiTokenResult,
): MultiTokenAttrs {
  return {
    block: spec.name,
    heads: spec.heads,
    kvHeads: spec.kvHeads,
    valueHeads: spec.valueHeads,
    headDim: spec.headDim,
    valueDim: spec.valueDim,
    queryKernel: scoreMap.queryKernel,
    keyKernel: scoreMap.keyKernel,
    causal: spec.mask !== undefined,
    mixGroup: scoreMap.headMixing?.groupSize ?? 1,
    mixPlacement: scoreMap.headMixing?.placement ?? null,
    groupNormEpsilon: scoreMap.groupNorm?.epsilon ?? null,
    result,
  };
}
