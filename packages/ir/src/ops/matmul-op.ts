import { dimsEqual, formatDim } from '../dim.js';
import { ShapeError } from '../errors.js';
import { internNode, type Node } from '../graph/node.js';
import { emptyTensor64 } from '../interpret/tensor64.js';
import { broadcastShapes, stridesOf } from '../shape.js';
import { booleanAttr } from './attr-readers.js';
import type { OpDef, Tensor64 } from './op-table.js';
import { expectDType, expectRank, expectSameDType, operandContext } from './operand-checks.js';

/** Options of {@link matmul}. */
export interface MatmulOptions {
  /** Use `a`'s last two axes swapped, i.e. `a` is stored `[..., K, M]` (default false). */
  readonly transposeA?: boolean;
  /** Use `b`'s last two axes swapped, i.e. `b` is stored `[..., N, K]` (default false). */
  readonly transposeB?: boolean;
}

/**
 * Batched matrix product `out[..., m, n] = Σ_k a[..., m, k] · b[..., k, n]` of `a: [..., M, K]` and
 * `b: [..., K, N]` (both rank >= 2), with NumPy broadcasting of the batch dims `...`.
 *
 * @example
 * ```ts
 * const y = matmul(input('x', [4, 64]), param('w', [64, 128])); // [4, 128]
 * const scores = matmul(input('q', [8, 16]), input('k', [8, 16]), { transposeB: true }); // [8, 8]
 * ```
 */
export function matmul(a: Node, b: Node, options: MatmulOptions = {}): Node {
  return internNode(matmulOp, [a, b], {
    transposeA: options.transposeA ?? false,
    transposeB: options.transposeB ?? false,
  });
}

/** `matmul`: `{ transposeA, transposeB }`, `[..., M, K] × [..., K, N] → [..., M, N]`. */
export const matmulOp: OpDef = {
  name: 'matmul',
  arity: 2,
  fusion: 'matmul',
  infer([a, b], attrs, context) {
    expectRank(a!, 0, 2, context, true);
    expectRank(b!, 1, 2, context, true);
    expectDType(a!, 0, ['f32', 'f16', 'i32', 'u32'], context);
    expectSameDType([a!, b!], context);
    const [m, kA] = matrixDims(a!.shape, booleanAttr(attrs, 'transposeA', context));
    const [kB, n] = matrixDims(b!.shape, booleanAttr(attrs, 'transposeB', context));
    if (!dimsEqual(kA, kB)) {
      throw new ShapeError('matmul contraction dims differ', {
        ...operandContext(context, 1, attrs.transposeB ? -1 : -2),
        expected: formatDim(kA),
        actual: formatDim(kB),
      });
    }
    const batch = broadcastShapes(
      [a!.shape.slice(0, -2), b!.shape.slice(0, -2)],
      operandContext(context, 1, 'batch'),
    );
    return { shape: [...batch, m, n], dtype: a!.dtype };
  },
  evaluatesF32: true,
  evaluate: ([a, b], attrs, node, env) =>
    evaluateMatmul(
      a!,
      b!,
      attrs.transposeA === true,
      attrs.transposeB === true,
      node,
      env.precision === 'f32' && (node.dtype === 'f32' || node.dtype === 'f16'),
    ),
};

/** [rows, cols] of the matrix a stored matrix stands for. */
function matrixDims<T>(shape: readonly T[], transposed: boolean): [T, T] {
  const rows = shape[shape.length - 2]!;
  const cols = shape[shape.length - 1]!;
  return transposed ? [cols, rows] : [rows, cols];
}

function evaluateMatmul(
  a: Tensor64,
  b: Tensor64,
  transposeA: boolean,
  transposeB: boolean,
  node: Node,
  f32: boolean,
): Tensor64 {
  const [m, k] = matrixDims(a.shape, transposeA);
  const n = matrixDims(b.shape, transposeB)[1];
  const batch = broadcastShapes([a.shape.slice(0, -2), b.shape.slice(0, -2)]) as number[];
  const result = emptyTensor64([...batch, m, n], node.dtype);
  const offsetsA = batchOffsets(a.shape, batch);
  const offsetsB = batchOffsets(b.shape, batch);
  // Element (row, col) of a stored matrix with `cols` columns, optionally transposed.
  const at = (
    data: Float64Array,
    base: number,
    row: number,
    col: number,
    stored: number,
    t: boolean,
  ): number => data[base + (t ? col * stored + row : row * stored + col)]!;
  const storedColsA = a.shape[a.shape.length - 1]!;
  const storedColsB = b.shape[b.shape.length - 1]!;
  offsetsA.forEach((baseA, batchIndex) => {
    const baseB = offsetsB[batchIndex]!;
    const baseOut = batchIndex * m * n;
    for (let row = 0; row < m; row++) {
      for (let col = 0; col < n; col++) {
        let total = 0;
        for (let i = 0; i < k; i++) {
          const product =
            at(a.data, baseA, row, i, storedColsA, transposeA) *
            at(b.data, baseB, i, col, storedColsB, transposeB);
          // f32: the product and each partial sum rounded, accumulated in order (no fused multiply-add).
          total = f32 ? Math.fround(total + Math.fround(product)) : total + product;
        }
        result.data[baseOut + row * n + col] = total;
      }
    }
  });
  return result;
}

/** Start offset of each (broadcast) batch matrix of a tensor of `shape` within `batch`. */
function batchOffsets(shape: readonly number[], batch: readonly number[]): number[] {
  const matrixSize = shape[shape.length - 2]! * shape[shape.length - 1]!;
  const own = shape.slice(0, -2);
  const strides = stridesOf(own);
  const count = batch.reduce((total, dim) => total * dim, 1);
  const offsets: number[] = [];
  for (let flat = 0; flat < count; flat++) {
    let rest = flat;
    let offset = 0;
    for (let axis = batch.length - 1; axis >= 0; axis--) {
      const position = rest % batch[axis]!;
      rest = Math.floor(rest / batch[axis]!);
      const ownAxis = axis - (batch.length - own.length);
      if (ownAxis >= 0 && own[ownAxis] !== 1) offset += position * strides[ownAxis]!;
    }
    offsets.push(offset * matrixSize);
  }
  return offsets;
}
