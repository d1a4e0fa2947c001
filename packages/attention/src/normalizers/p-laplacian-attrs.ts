import { type Expr, SpecError, variable } from '@weft/ir';
import { ATTENTION_INDICES } from '../spec/attention-variables.js';
import type { PLaplacianAnchorScale, PLaplacianSettings } from './p-laplacian.js';

/**
 * The value-dim index of a feature read: the stored features Expr reads element
 * (b, h, q, `featureIndex`); the reference binds it per dim, the decomposition and the kernel
 * substitute each dim.
 */
export const FEATURE_INDEX: Expr = variable('featureIndex', 'i32');

/** The p-Laplacian normalizer as stored on an attention node. */
export interface PLaplacianAttrs {
  /** Discriminant. */
  readonly name: 'pLaplacian';
  /** Name of the captured `[batch, heads, queries, valueDim]` features tensor. */
  readonly featuresTensor: string;
  /** Element (b, h, q, {@link FEATURE_INDEX}) of the features tensor. */
  readonly features: Expr;
  /** p, an Expr over `h`. */
  readonly p: Expr;
  /** μ, an Expr over `h`. */
  readonly mu: Expr;
  /** ε added to the squared distance. */
  readonly epsilon: number;
  /** c of the feature term (c·μ/p)·α. */
  readonly anchorScale: PLaplacianAnchorScale;
}

/** What an attention spec contributes to the check of its p-Laplacian features. */
export interface PLaplacianSpecShape {
  /** Block name. */
  readonly name: string;
  /** Query heads. */
  readonly heads: number;
  /** Value head dim. */
  readonly valueDim: number;
}

/**
 * Encodes a `pLaplacian` normalizer of `spec`, checking the features tensor's heads (dimension 1)
 * and value dim (dimension 3); batch and queries are checked against the call by their roles.
 */
export function pLaplacianAttrs(normalizer: PLaplacianSettings, spec: PLaplacianSpecShape): PLaplacianAttrs {
  const features = normalizer.features;
  const expect = (dimension: number, expected: number, meaning: string) => {
    if (features.shape[dimension] !== expected)
      throw new SpecError(`attention "${spec.name}": pLaplacian features ${meaning} does not match`, {
        block: spec.name,
        tensor: features.name,
        dimension,
        expected,
        actual: features.shape[dimension] ?? 'nothing',
      });
  };
  expect(1, spec.heads, 'heads');
  expect(3, spec.valueDim, 'value dim');
  const { b, h, q } = ATTENTION_INDICES;
  return {
    name: 'pLaplacian',
    featuresTensor: features.name,
    features: features.at(b, h, q, FEATURE_INDEX),
    p: normalizer.p,
    mu: normalizer.mu,
    epsilon: normalizer.epsilon,
    anchorScale: normalizer.anchorScale,
  };
}
