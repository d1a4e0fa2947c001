import {
  type Dim,
  DTypeError,
  dimsEqual,
  formatShape,
  isFloat,
  type Node,
  normalizeAxis,
  type Shape,
  ShapeError,
  SpecError,
} from '@weft/ir';

/**
 * Normalizes the axes a layer reduces over (negative axes count from the end), sorted and
 * distinct. Throws a {@link ShapeError} naming the layer, tensor and axis when one does not exist.
 */
export function resolveAxes(
  layer: string,
  tensor: string,
  x: Node,
  axes: number | readonly number[],
): number[] {
  const list = typeof axes === 'number' ? [axes] : [...axes];
  if (list.length === 0) {
    throw new SpecError('a normalization needs at least one axis', {
      block: layer,
      tensor,
      expected: '>= 1 axis',
      actual: [],
    });
  }
  const normalized = list.map((axis) => normalizeAxis(axis, x.rank, { block: layer, tensor }));
  if (new Set(normalized).size !== normalized.length) {
    throw new SpecError('normalized axes repeat', {
      block: layer,
      tensor,
      expected: 'distinct axes',
      actual: list,
    });
  }
  return normalized.sort((a, b) => a - b);
}

/** Throws a {@link ShapeError} unless `node` has exactly `expected` (dims compared structurally). */
export function expectShape(layer: string, tensor: string, node: Node, expected: Shape): void {
  if (node.rank !== expected.length) {
    throw new ShapeError(`${tensor} has the wrong rank`, {
      block: layer,
      tensor,
      expected: formatShape(expected),
      actual: formatShape(node.shape),
    });
  }
  expected.forEach((dim, axis) => {
    if (!dimsEqual(dim, node.shape[axis]!)) {
      throw new ShapeError(`${tensor} has the wrong size`, {
        block: layer,
        tensor,
        dimension: axis,
        expected: formatShape(expected),
        actual: formatShape(node.shape),
      });
    }
  });
}

/** Throws a {@link ShapeError} unless `x` has at least `rank` axes (`what` says which layout is meant). */
export function expectMinimumRank(layer: string, tensor: string, x: Node, rank: number, what: string): void {
  if (x.rank < rank) {
    throw new ShapeError(`${tensor} must be ${what}`, {
      block: layer,
      tensor,
      expected: `rank >= ${rank}`,
      actual: formatShape(x.shape),
    });
  }
}

/** Throws a {@link ShapeError} unless `dim` is static: learned parameters need a fixed size. */
export function staticDim(layer: string, tensor: string, dim: Dim, axis: number): number {
  if (typeof dim !== 'number') {
    throw new ShapeError('a normalized dim with learned parameters must be static', {
      block: layer,
      tensor,
      dimension: axis,
      expected: 'a static size',
      actual: dim.name,
    });
  }
  return dim;
}

/** Throws a `DTypeError` unless `x` holds floats (normalization is undefined on integers). */
export function expectFloatTensor(layer: string, tensor: string, x: Node): void {
  if (!isFloat(x.dtype)) {
    throw new DTypeError(`${tensor} must be a float tensor`, {
      block: layer,
      tensor,
      expected: 'f32 or f16',
      actual: x.dtype,
    });
  }
}

/** Throws a {@link SpecError} unless `value` is a finite number ≥ 0 (an epsilon or a scale). */
export function expectNonNegative(layer: string, option: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new SpecError(`option ${option} must be a finite number >= 0`, {
      block: layer,
      expected: '>= 0',
      actual: value,
    });
  }
}
