import { type Node, withLabel } from '@weft/ir';
import { layerNorm, rmsNorm } from '@weft/norms';

/** Which normalization a block uses: RMSNorm (gain `${name}.gamma`) or LayerNorm (`.gamma`, `.beta`). */
export interface NormLayerOptions {
  /** `rmsnorm` (Zhang & Sennrich) or `layernorm` (Ba et al.). */
  readonly kind: 'rmsnorm' | 'layernorm';
  /** Stabilizer added to the mean square or variance. Default `1e-5`. */
  readonly eps?: number;
}

/**
 * Normalizes `x` over its last axis with the chosen layer, its parameters named under `name`
 * (`${name}.gamma`, and `${name}.beta` for LayerNorm), its nodes labelled `name`. One fused row kernel.
 *
 * @example
 * ```ts
 * const h = normLayer(x, { kind: 'rmsnorm', eps: 1e-6 }, 'layers.0.attnNorm'); // param layers.0.attnNorm.gamma
 * ```
 */
export function normLayer(x: Node, options: NormLayerOptions, name: string): Node {
  const eps = options.eps ?? 1e-5;
  return withLabel(name, () =>
    options.kind === 'rmsnorm' ? rmsNorm(x, { eps, name }) : layerNorm(x, { eps, name }),
  );
}
