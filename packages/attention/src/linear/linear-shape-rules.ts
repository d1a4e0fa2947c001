import { type Dim, DTypeError, dimsEqual, formatDim, ShapeError, SpecError, type TensorType } from '@weft/ir';
import type { LinearAttentionAttrs, LinearStateAttrs } from './linear-attention-attrs.js';

/** One operand's expected layout: its name and, per axis, the expected dim and what it means. */
interface Expected {
  readonly tensor: string;
  readonly axes: readonly (readonly [Dim | undefined, string])[];
}

function checkOperands(block: string, inputs: readonly TensorType[], expected: readonly Expected[]): void {
  if (inputs.length !== expected.length)
    throw new SpecError(`linear attention "${block}": wrong number of operands`, {
      block,
      expected: expected.map((operand) => operand.tensor).join(', '),
      actual: inputs.length,
    });
  expected.forEach(({ tensor, axes }, position) => {
    const input = inputs[position]!;
    if (input.dtype !== 'f32')
      throw new DTypeError(`linear attention "${block}": ${tensor} must be f32`, {
        block,
        tensor,
        expected: 'f32',
        actual: input.dtype,
      });
    if (input.shape.length !== axes.length)
      throw new ShapeError(
        `linear attention "${block}": ${tensor} must be [${axes.map(([, meaning]) => meaning).join(', ')}]`,
        { block, tensor, expected: `rank ${axes.length}`, actual: `rank ${input.shape.length}` },
      );
    axes.forEach(([dim, meaning], axis) => {
      const actual = input.shape[axis]!;
      if (dim !== undefined && !dimsEqual(actual, dim))
        throw new ShapeError(`linear attention "${block}": ${tensor} ${meaning} does not match`, {
          block,
          tensor,
          dimension: axis,
          expected: formatDim(dim),
          actual: formatDim(actual),
        });
    });
  });
}

/**
 * Shape rule of `linearAttention`: query `[B, H, Nq, d_k]`, key `[B, H, Nk, d_k]`, value
 * `[B, H, Nk, d_v]` (Nq = Nk when causal), then the gate `[B, H, Nk, d_k]` when gated, then with a state `[B, H, d_k, d_v]` and, with a
 * denominator, `[B, H, d_k]`. Result `[B, H, Nq, d_v]`.
 */
export function inferLinearAttention(inputs: readonly TensorType[], attrs: LinearAttentionAttrs): TensorType {
  const query = inputs[0];
  const batch = query?.shape.length === 4 ? query.shape[0] : undefined;
  const queries = query?.shape.length === 4 ? query.shape[2] : undefined;
  const keys = inputs[1]?.shape.length === 4 ? inputs[1].shape[2] : undefined;
  const { heads, headDim, valueDim, block } = attrs;
  const expected: Expected[] = [
    {
      tensor: 'query',
      axes: [
        [undefined, 'batch'],
        [heads, 'heads'],
        [undefined, 'length'],
        [headDim, 'head dim'],
      ],
    },
    {
      tensor: 'key',
      axes: [
        [batch, 'batch (query batch)'],
        [heads, 'heads'],
        [attrs.causal ? queries : undefined, attrs.causal ? 'length (query length: causal)' : 'length'],
        [headDim, 'head dim'],
      ],
    },
    {
      tensor: 'value',
      axes: [
        [batch, 'batch (query batch)'],
        [heads, 'heads'],
        [keys, 'length (key length)'],
        [valueDim, 'value dim'],
      ],
    },
  ];
  if (attrs.gated)
    expected.push({
      tensor: 'gate',
      axes: [
        [batch, 'batch (query batch)'],
        [heads, 'heads'],
        [keys, 'length (key length)'],
        [headDim, 'head dim'],
      ],
    });
  if (attrs.withState) {
    if (!attrs.causal)
      throw new SpecError(`linear attention "${block}": a state needs causal: true`, {
        block,
        expected: 'causal',
        actual: 'non-causal',
      });
    expected.push({
      tensor: 'state',
      axes: [
        [batch, 'batch'],
        [heads, 'heads'],
        [headDim, 'head dim'],
        [valueDim, 'value dim'],
      ],
    });
    if (attrs.epsilon !== null)
      expected.push({
        tensor: 'keyState',
        axes: [
          [batch, 'batch'],
          [heads, 'heads'],
          [headDim, 'head dim'],
        ],
      });
  }
  checkOperands(block, inputs, expected);
  return { shape: [batch!, heads, queries!, valueDim], dtype: 'f32' };
}

/** Shape rule of `linearAttention.state`: key, (value), (previous state) → the state after them. */
export function inferLinearState(inputs: readonly TensorType[], attrs: LinearStateAttrs): TensorType {
  const key = inputs[0];
  const batch = key?.shape.length === 4 ? key.shape[0] : undefined;
  const length = key?.shape.length === 4 ? key.shape[2] : undefined;
  const { heads, headDim, valueDim, block } = attrs;
  const stateShape: Dim[] =
    attrs.part === 'values' ? [batch!, heads, headDim, valueDim] : [batch!, heads, headDim];
  const expected: Expected[] = [
    {
      tensor: 'key',
      axes: [
        [undefined, 'batch'],
        [heads, 'heads'],
        [undefined, 'length'],
        [headDim, 'head dim'],
      ],
    },
  ];
  if (attrs.part === 'values')
    expected.push({
      tensor: 'value',
      axes: [
        [batch, 'batch (key batch)'],
        [heads, 'heads'],
        [length, 'length (key length)'],
        [valueDim, 'value dim'],
      ],
    });
  if (attrs.gated)
    expected.push({
      tensor: 'gate',
      axes: [
        [batch, 'batch (key batch)'],
        [heads, 'heads'],
        [length, 'length (key length)'],
        [headDim, 'head dim'],
      ],
    });
  if (attrs.withState) {
    const meanings = ['batch', 'heads', 'head dim', 'value dim'];
    expected.push({
      tensor: attrs.part === 'values' ? 'state' : 'keyState',
      axes: stateShape.map((dim, axis) => [axis === 0 ? batch : dim, meanings[axis]!] as const),
    });
  }
  checkOperands(block, inputs, expected);
  return { shape: stateShape, dtype: 'f32' };
}
