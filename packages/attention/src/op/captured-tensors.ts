import { type DType, Expr, exprNodes, exprVariables } from '@weft/ir';
import type { AttentionSpec } from '../spec/attention-spec.js';
import { VARIABLE_NAMES } from '../spec/attention-variables.js';
import type { AxisRole } from '../spec/tensor-use.js';
import { encodeAttention } from './attention-attrs.js';

/** A tensor an attention spec reads by name (a `tensorRef` of a score mod, mask, position or normalizer). */
export interface CapturedTensor {
  /** The name it is bound under (`inputs.tensors[name]` of `applyAttention`). */
  readonly name: string;
  /** Number of index expressions of its reads. */
  readonly rank: number;
  /** Element dtype of its reads. */
  readonly dtype: DType;
  /** Required size of each axis, when the part knows it. */
  readonly roles?: readonly AxisRole[];
  /**
   * Whether it holds one value per sample: a read indexes it by the batch index `b`, or an axis
   * has the `batch` role (a padding length, segment ids, a per-sample mask). Such a tensor is an
   * input of the model; one that is not per sample (a per-head sink, ALiBi slopes) can be a
   * learned parameter.
   */
  readonly perSample: boolean;
}

/**
 * The tensors `spec` reads by name, in the attention op's operand order, with whether each is
 * per sample. The spec's own parameters (QK-norm gains, weighted-GQA weights), which
 * `applyAttention` binds itself, are left out.
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, normalizer: softmax({ sink: tensorRef('sink', [4]) }),
 *   mask: keyPadding(tensorRef('lengths', [1], 'i32')) });
 * capturedTensors(spec); // [{ name: 'lengths', perSample: true, ... }, { name: 'sink', perSample: false, ... }]
 * ```
 */
export function capturedTensors(spec: AttentionSpec): CapturedTensor[] {
  const attrs = encodeAttention(spec, 1, 'output');
  const perSample = new Set<string>();
  const normalizer = (attrs.normalizer ?? {}) as Readonly<Record<string, unknown>>;
  const exprs = [attrs.score, attrs.mask, attrs.maskEmpty, attrs.maskFull, ...Object.values(normalizer)];
  for (const expr of exprs) {
    if (!(expr instanceof Expr)) continue;
    for (const node of exprNodes(expr)) {
      if (node.kind !== 'read') continue;
      if (node.args.some((index) => exprVariables(index).has(VARIABLE_NAMES.b)))
        perSample.add(String(node.payload));
    }
  }
  const qkNorm = attrs.qkNorm as { query?: unknown; key?: unknown } | null;
  const owned = new Set(ownedParameterNames(qkNorm?.query, qkNorm?.key, attrs.kvWeights));
  const uses = attrs.tensors as readonly {
    name: string;
    rank: number;
    dtype: DType;
    roles: readonly AxisRole[] | null;
  }[];
  return uses
    .filter((use) => !owned.has(use.name))
    .map((use) => ({
      name: use.name,
      rank: use.rank,
      dtype: use.dtype,
      ...(use.roles === null ? {} : { roles: use.roles }),
      perSample: perSample.has(use.name) || (use.roles ?? []).includes('batch'),
    }));
}

/** The tensor names the QK-norm sides and weighted-GQA attributes hold (the spec's own parameters). */
function ownedParameterNames(...values: readonly unknown[]): string[] {
  const names: string[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === 'string') names.push(value);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === 'object' && value !== null && !(value instanceof Expr))
      Object.values(value).forEach(visit);
  };
  values.forEach(visit);
  return names;
}
