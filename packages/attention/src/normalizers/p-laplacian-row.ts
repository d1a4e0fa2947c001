import { compileExpr, type ExprEnv } from '@weft/ir';
import { FEATURE_INDEX, type PLaplacianAttrs } from './p-laplacian-attrs.js';

/** The value rows of one attention row's kept keys, as the p-Laplacian normalizer reads them. */
export interface PLaplacianValues {
  /** Value head dim. */
  readonly valueDim: number;
  /** Element `d` of the value row of the kept key at `position` (in kept order). */
  at(position: number, d: number): number;
}

/** The p-Laplacian weights of one row and its feature term β_i·x_i. */
export interface PLaplacianRow {
  /** α_i·M_ij, one per kept key. */
  readonly weights: number[];
  /** β_i = (c·μ/p)·α_i. */
  readonly selfWeight: number;
  /** The feature row x_i. */
  readonly features: number[];
}

/**
 * One row of the p-Laplacian normalizer in float64 (see `pLaplacian`): A_ij = softmax of the kept
 * scores, M_ij = A_ij·(‖x_i − v_j‖² + ε)^{(p−2)/2}, α_i = 1/(Σ_j M_ij + 2μ/p), weights α_i·M_ij and
 * feature weight (c·μ/p)·α_i. A zero denominator gives a zero row.
 */
export function pLaplacianRow(
  normalizer: PLaplacianAttrs,
  scores: readonly number[],
  env: ExprEnv,
  values: PLaplacianValues,
): PLaplacianRow {
  const p = compileExpr(normalizer.p)(env);
  const mu = compileExpr(normalizer.mu)(env);
  const features = featureRow(normalizer, env, values.valueDim);
  const max = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - max));
  const total = exps.reduce((sum, e) => sum + e, 0);
  const exponent = (p - 2) / 2;
  const m = exps.map((e, position) => {
    let squared = 0;
    for (let d = 0; d < values.valueDim; d++) squared += (features[d]! - values.at(position, d)) ** 2;
    return (e / total) * (squared + normalizer.epsilon) ** exponent;
  });
  const denominator = m.reduce((sum, x) => sum + x, 0) + (2 * mu) / p;
  const alpha = denominator > 0 ? 1 / denominator : 0;
  return {
    weights: m.map((x) => alpha * x),
    selfWeight: ((normalizer.anchorScale * mu) / p) * alpha,
    features,
  };
}

/** x_i: the features Expr at every value dim of the row `env` binds. */
function featureRow(normalizer: PLaplacianAttrs, env: ExprEnv, valueDim: number): number[] {
  const read = compileExpr(normalizer.features);
  const name = String(FEATURE_INDEX.payload);
  return Array.from({ length: valueDim }, (_, d) =>
    read({ ...env, variables: { ...env.variables, [name]: d } }),
  );
}
