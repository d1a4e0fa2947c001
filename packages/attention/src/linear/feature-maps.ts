import { constant, type Expr, SpecError } from '@weft/ir';

/**
 * A feature map φ of linear attention, applied elementwise to queries and keys before the
 * products φ(q)·φ(k): its float64 form (the reference) and its `Expr` form (the decomposition and
 * the kernels). Built-in maps are found by name when a graph is read from JSON.
 */
export interface FeatureMap {
  /** Name stored on the node (`elu1`, `relu`, `identity`). */
  readonly name: FeatureMapName;
  /** φ(x) in float64. */
  evaluate(x: number): number;
  /** φ(x) as an Expr of `x` (f32). */
  expr(x: Expr): Expr;
}

/** Names of the built-in feature maps. */
export type FeatureMapName = 'elu1' | 'relu' | 'identity';

const ELU1: FeatureMap = {
  name: 'elu1',
  evaluate: (x) => (x > 0 ? x + 1 : Math.exp(x)),
  expr: (x) => x.gt(0).select(x.add(1), x.apply('exp')),
};

const RELU: FeatureMap = {
  name: 'relu',
  evaluate: (x) => Math.max(x, 0),
  expr: (x) => x.max(constant(0)),
};

const IDENTITY: FeatureMap = {
  name: 'identity',
  evaluate: (x) => x,
  expr: (x) => x,
};

/**
 * φ(x) = ELU(x) + 1 (x + 1 for x > 0, eˣ otherwise): positive, so the denominator
 * Σ φ(q)·φ(k) never vanishes. The map of the linear transformer (Katharopoulos et al. 2020,
 * "Transformers are RNNs"), TransNormer (catalog paper 49) and MALA (paper 103).
 *
 * @example
 * ```ts
 * linearAttention({ heads: 4, headDim: 16, featureMap: elu1(), causal: true });
 * ```
 */
export function elu1(): FeatureMap {
  return ELU1;
}

/**
 * φ(x) = max(x, 0). Can be zero for every feature: pair it with a denominator ε > 0.
 *
 * @example
 * ```ts
 * linearAttention({ heads: 4, headDim: 16, featureMap: relu(), denominator: { epsilon: 1e-6 } });
 * ```
 */
export function relu(): FeatureMap {
  return RELU;
}

/**
 * φ(x) = x: the plain products q·k of retention (RetNet) and Lightning attention (catalog paper
 * 63), whose queries and keys are mapped (SiLU, swish) by the layer before the op.
 *
 * @example
 * ```ts
 * linearAttention({ heads: 4, headDim: 16, featureMap: identity(), denominator: false, decay: retentionDecay(4), causal: true });
 * ```
 */
export function identity(): FeatureMap {
  return IDENTITY;
}

const BUILTIN_FEATURE_MAPS: readonly FeatureMap[] = [ELU1, RELU, IDENTITY];

/** The built-in feature map named `name`; a `SpecError` naming the block otherwise. */
export function featureMapNamed(name: unknown, block: string): FeatureMap {
  const found = BUILTIN_FEATURE_MAPS.find((map) => map.name === name);
  if (found === undefined)
    throw new SpecError(`linear attention "${block}": unknown feature map`, {
      block,
      expected: BUILTIN_FEATURE_MAPS.map((map) => map.name).join(', '),
      actual: String(name),
    });
  return found;
}
