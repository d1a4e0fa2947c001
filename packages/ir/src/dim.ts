import { ShapeError } from './errors.js';

/**
 * A named dimension whose size is bound at run time (through a uniform buffer on the GPU),
 * bounded by a declared maximum that sizes buffers at compile time.
 *
 * @example
 * ```ts
 * const seq = symbolicDim('seq', { max: 512 });
 * const x = input('x', [seq, 64]);
 * ```
 */
export interface SymbolicDim {
  readonly kind: 'symbolic';
  /** Identifier used to bind it at run time (`program.run(inputs, { dims: { seq: 17 } })`). */
  readonly name: string;
  /** Largest value it may be bound to; buffers are sized for it. */
  readonly max: number;
}

/** One dimension of a shape: a static size, or a named symbolic dim. */
export type Dim = number | SymbolicDim;

/** Values bound to symbolic dims for one run, by dim name. */
export type DimBindings = Readonly<Record<string, number>>;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Declares a symbolic dim. `name` must be an identifier; `max` a positive integer.
 *
 * @example
 * ```ts
 * const tokens = symbolicDim('tokens', { max: 2048 }); // bound at run time: program.run(data, { dims: { tokens: 10 } })
 * const x = input('x', [tokens, 64]);
 * ```
 */
export function symbolicDim(name: string, options: { max: number }): SymbolicDim {
  if (!IDENTIFIER.test(name)) {
    throw new ShapeError('a symbolic dim name must be an identifier', { dimension: name, actual: name });
  }
  if (!Number.isInteger(options.max) || options.max < 1) {
    throw new ShapeError('a symbolic dim needs a positive integer maximum', {
      dimension: name,
      expected: 'integer >= 1',
      actual: options.max,
    });
  }
  return Object.freeze({ kind: 'symbolic', name, max: options.max });
}

/** Whether `dim` is symbolic. */
export function isSymbolic(dim: Dim): dim is SymbolicDim {
  return typeof dim !== 'number';
}

/** Structural equality of two dims (symbolic dims are equal when name and max agree). */
export function dimsEqual(a: Dim, b: Dim): boolean {
  if (typeof a === 'number' || typeof b === 'number') return a === b;
  return a.name === b.name && a.max === b.max;
}

/** The largest size `dim` can take (its value, or its declared maximum). */
export function maxDim(dim: Dim): number {
  return typeof dim === 'number' ? dim : dim.max;
}

/** Text form: `64` or `seq<=512`. */
export function formatDim(dim: Dim): string {
  return typeof dim === 'number' ? String(dim) : `${dim.name}<=${dim.max}`;
}

/**
 * The concrete size of `dim` under `bindings`. Throws a {@link ShapeError} naming the dim when a
 * symbolic dim is unbound, not an integer, below 1 or above its maximum.
 */
export function resolveDim(dim: Dim, bindings: DimBindings): number {
  if (typeof dim === 'number') return dim;
  // Own properties only: a dim named `constructor` or `__proto__` is an ordinary name.
  const value = Object.hasOwn(bindings, dim.name) ? bindings[dim.name] : undefined;
  if (value === undefined) {
    throw new ShapeError('symbolic dim is not bound for this run', {
      dimension: dim.name,
      expected: `1..${dim.max}`,
    });
  }
  if (!Number.isInteger(value) || value < 1 || value > dim.max) {
    throw new ShapeError('symbolic dim bound out of range', {
      dimension: dim.name,
      expected: `integer in 1..${dim.max}`,
      actual: value,
    });
  }
  return value;
}
