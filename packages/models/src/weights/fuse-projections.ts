import { SpecError } from '@weft/ir';

/** A float tensor on its way into a model: shape and row-major values. */
export interface WeightTensor {
  /** The tensor's shape, row-major. */
  readonly shape: readonly number[];
  /** Its values. */
  readonly data: Float32Array;
}

/** A group of separately stored projections that Weft keeps as one matrix (columns side by side). */
export interface FusedProjection {
  /** Suffixes of the parts, in column order, e.g. `['attn.wq', 'attn.wk', 'attn.wv']`. */
  readonly parts: readonly string[];
  /** Suffix of the fused parameter, e.g. `attn.wqkv`. */
  readonly target: string;
}

/**
 * Weft's fused projections: Q, K and V in one matmul (`attn.wqkv`, biases `attn.bqkv`), and the
 * gate and up projections of gated MLPs (`mlp.wGateUp`).
 */
export const FUSED_PROJECTIONS: readonly FusedProjection[] = [
  { parts: ['attn.wq', 'attn.wk', 'attn.wv'], target: 'attn.wqkv' },
  { parts: ['attn.bq', 'attn.bk', 'attn.bv'], target: 'attn.bqkv' },
  { parts: ['mlp.wGate', 'mlp.wUp'], target: 'mlp.wGateUp' },
];

/**
 * Concatenates separately stored projections into Weft's fused parameters along the last axis
 * (`[in, out₁] ++ [in, out₂] → [in, out₁ + out₂]`; vectors likewise). A group is fused when all
 * its parts are present under the same prefix; other tensors pass through unchanged.
 *
 * @throws SpecError when the parts of a group disagree on their leading dims.
 *
 * @example
 * ```ts fragment
 * const fused = fuseProjections(new Map([['layers.0.attn.wq', wq], ['layers.0.attn.wk', wk], ['layers.0.attn.wv', wv]]));
 * fused.get('layers.0.attn.wqkv'); // [d, (H + 2·Hkv)·dh]
 * ```
 */
export function fuseProjections(
  tensors: ReadonlyMap<string, WeightTensor>,
  groups: readonly FusedProjection[] = FUSED_PROJECTIONS,
): Map<string, WeightTensor> {
  const result = new Map(tensors);
  for (const group of groups) {
    const first = group.parts[0]!;
    for (const name of tensors.keys()) {
      if (!name.endsWith(`.${first}`)) continue;
      const prefix = name.slice(0, name.length - first.length);
      const parts = group.parts.map((part) => tensors.get(prefix + part));
      if (parts.some((part) => part === undefined)) continue;
      result.set(prefix + group.target, concatenateColumns(parts as WeightTensor[], prefix + group.target));
      for (const part of group.parts) result.delete(prefix + part);
    }
  }
  return result;
}

function concatenateColumns(parts: readonly WeightTensor[], name: string): WeightTensor {
  const leading = parts[0]!.shape.slice(0, -1);
  for (const part of parts) {
    if (
      part.shape.length !== leading.length + 1 ||
      part.shape.slice(0, -1).some((dim, axis) => dim !== leading[axis])
    ) {
      throw new SpecError(`weights: the parts of "${name}" do not share their leading dims`, {
        tensor: name,
        expected: `[${leading.join(', ')}, *]`,
        actual: `[${part.shape.join(', ')}]`,
      });
    }
  }
  const rows = leading.reduce((product, dim) => product * dim, 1);
  const widths = parts.map((part) => part.shape[part.shape.length - 1]!);
  const total = widths.reduce((sum, width) => sum + width, 0);
  const data = new Float32Array(rows * total);
  for (let row = 0; row < rows; row++) {
    let column = 0;
    parts.forEach((part, index) => {
      const width = widths[index]!;
      data.set(part.data.subarray(row * width, (row + 1) * width), row * total + column);
      column += width;
    });
  }
  return { shape: [...leading, total], data };
}
