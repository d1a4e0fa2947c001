import type { DimBindings, Graph, Tensor64 } from '@weft/ir';

/** The kinds of device case the fuzzer generates. */
export type DeviceCaseKind = 'attention' | 'norm' | 'model';

/**
 * A generated case before it is built: a plain, JSON-printable recipe (what a failure report
 * prints), the family it is scored in and that family's error budget.
 */
export interface CaseRecipe {
  readonly kind: DeviceCaseKind;
  /** The seed the recipe and its input values were drawn from (`pnpm fuzz --replay SEED`). */
  readonly seed: number;
  /** Family the worst error is reported for, e.g. `softmax`, `entmax+rope`, `norm:layerNorm`. */
  readonly family: string;
  /** Normwise relative error budget of the family. */
  readonly budget: number;
  /** Short, human-readable tags of what the case combines (for grouping and the allow-list). */
  readonly tags: readonly string[];
  /** The recipe itself (kind specific). */
  readonly spec: Readonly<Record<string, unknown>>;
}

/** A recipe turned into a graph with values for every input and parameter. */
export interface BuiltCase {
  readonly graph: Graph;
  readonly inputs: Record<string, Tensor64>;
  readonly params: Record<string, Tensor64>;
  readonly dims: DimBindings;
}

/**
 * Budgets (normwise relative error `max|a − e| / max|e|` of the f32 device result against the
 * float64 reference), as in the repository's tests: f32 kernels 1e-5 (`DEFAULT_TOLERANCE` of the
 * zoo, the attention and norm GPU tests), with RoPE as well (its angles are reduced modulo one turn
 * from split float64 frequencies, sin and cos by polynomial); whole tiny models 1e-3 (the models'
 * GPU test: several layers, a vocabulary softmax).
 */
export const BUDGETS = { default: 1e-5, rope: 1e-5, model: 1e-3 } as const;
