import { add, mul, type Node, param, SpecError, withLabel } from '@weft/ir';
import { adaLnZero, gatedResidual } from '@weft/norms';
import { staticDimOf } from './static-dim.js';

/**
 * How a sublayer's output joins the residual stream:
 * - `add`: `x + F(x)`;
 * - `layerScale`: `x + γ ⊙ F(x)` with a learned per-channel `γ` (`${name}.scale`, `[d]`; CaiT,
 *   Touvron et al. 2021);
 * - `adaLnZero`: DiT's conditioned gate `x + gate(c) ⊙ F(modulate(LN(x), c))` (see `adaLnZero`
 *   in `@weft/norms`); the block's own norm is replaced by the modulation.
 */
export type ResidualKind =
  | { /** Plain residual add. */ readonly kind: 'add' }
  | { /** Learned per-channel scale. */ readonly kind: 'layerScale' }
  | {
      /** Conditioned shift, scale and gate. */
      readonly kind: 'adaLnZero';
      /**
       * The conditioning vector `[B, d_c]` (e.g. a timestep or class embedding). Default: the
       * transformer block's `condition`.
       */
      readonly condition?: Node;
    };

/** A sublayer: its input is given, its output is added to the stream. */
export type Sublayer = (normalized: Node) => Node;

/**
 * Applies `sublayer` to the normalized stream and adds it back with `residual`'s rule. `norm`
 * normalizes the input (pre-norm); with `adaLnZero` the modulated LayerNorm takes its place.
 * Parameters sit under `name` (`${name}.scale`, `${name}.modulation.weight`, ...); the residual
 * add (and modulation) is labelled `name`.
 *
 * @example
 * ```ts fragment
 * const h = residualBranch(x, (u) => mlp(u, { kind: 'gelu', hidden: 512 }, 'blocks.0.mlp'), {
 *   residual: { kind: 'layerScale' }, norm: (u) => layerNorm(u, { name: 'blocks.0.norm2' }), name: 'blocks.0.mlpResidual',
 * });
 * ```
 */
export function residualBranch(
  x: Node,
  sublayer: Sublayer,
  options: { readonly residual: ResidualKind; readonly norm: (x: Node) => Node; readonly name: string },
): Node {
  return withLabel(options.name, () => buildResidualBranch(x, sublayer, options));
}

function buildResidualBranch(
  x: Node,
  sublayer: Sublayer,
  options: { readonly residual: ResidualKind; readonly norm: (x: Node) => Node; readonly name: string },
): Node {
  const { residual, name } = options;
  if (residual.kind === 'adaLnZero') {
    if (residual.condition === undefined) {
      throw new SpecError(`residual "${name}": adaLnZero needs a conditioning vector`, {
        block: name,
        tensor: 'condition',
        expected: "residual.condition or the block's condition, [B, d_c]",
        actual: 'none',
      });
    }
    const { modulated, gate } = adaLnZero(x, residual.condition, { name });
    return gatedResidual(x, gate, sublayer(modulated));
  }
  const update = sublayer(options.norm(x));
  if (residual.kind === 'add') return add(x, update);
  const width = staticDimOf(x, -1, `layerScale "${name}"`);
  return add(x, mul(param(`${name}.scale`, [width]), update));
}
