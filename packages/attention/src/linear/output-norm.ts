import { type Attrs, SpecError } from '@weft/ir';

/**
 * A normalization of linear attention's output (TransNormer's NormAttention, catalog paper 49:
 * O = XNorm(Q(KᵀV)), the norm replacing the denominator). `across: 'heads'` normalizes each
 * position's output over every head and value column (H·d_v entries: the paper's norm of the
 * merged heads); `'head'` over each head's d_v columns alone.
 */
export interface LinearOutputNorm {
  /** `rms`: x / √(mean(x²) + ε) (ε `inside`) or x / (√mean(x²) + ε) (`outside`); `layer`: (x − μ) / √(σ² + ε). */
  readonly kind: 'rms' | 'layer';
  /** ε (>= 0). */
  readonly epsilon: number;
  /** Where an RMS norm adds ε (default `inside`; `layer` always adds it inside). */
  readonly epsilonPlacement?: 'inside' | 'outside';
  /** Normalized entries of a position: every head's (`heads`) or each head's own (`head`). */
  readonly across: 'heads' | 'head';
}

/**
 * TransNormer's simple RMSNorm of the merged heads, x / (√mean(x²) + ε) without a gain (ε
 * outside the root, 1e-8: the TransNormer reference code's RMSNorm; its gain belongs to the
 * output projection that follows).
 *
 * @example
 * ```ts
 * linearAttention({ heads: 4, headDim: 16, denominator: false, outputNorm: transnormerOutputNorm(), causal: true });
 * ```
 */
export function transnormerOutputNorm(): LinearOutputNorm {
  return { kind: 'rms', epsilon: 1e-8, epsilonPlacement: 'outside', across: 'heads' };
}

/** The norm with every option spelled out; a `SpecError` naming the block when one is malformed. */
export function checkOutputNorm(given: LinearOutputNorm | Attrs, block: string): Required<LinearOutputNorm> {
  const norm = given as Readonly<Record<string, unknown>>;
  const fail = (option: string, expected: string, actual: unknown) =>
    new SpecError(`linear attention "${block}": outputNorm.${option} must be ${expected}`, {
      block,
      dimension: `outputNorm.${option}`,
      expected,
      actual: String(actual),
    });
  const { kind, epsilon, across } = norm;
  if (kind !== 'rms' && kind !== 'layer') throw fail('kind', '"rms" or "layer"', kind);
  if (typeof epsilon !== 'number' || !(Number.isFinite(epsilon) && epsilon >= 0))
    throw fail('epsilon', 'a finite number >= 0', epsilon);
  if (across !== 'heads' && across !== 'head') throw fail('across', '"heads" or "head"', across);
  const placement = norm.epsilonPlacement ?? 'inside';
  if (placement !== 'inside' && placement !== 'outside')
    throw fail('epsilonPlacement', '"inside" or "outside"', placement);
  return { kind, epsilon, across, epsilonPlacement: kind === 'layer' ? 'inside' : placement };
}

/** The node attributes of an output norm (`block` names it in errors). */
export function outputNormAttrs(norm: LinearOutputNorm, block: string): Attrs {
  return { block, ...checkOutputNorm(norm, block) };
}

/** Decodes the attributes of a `linearAttention.outputNorm` node (as built, or read from JSON). */
export function decodeOutputNorm(attrs: Attrs): Required<LinearOutputNorm> & { readonly block: string } {
  const block = typeof attrs.block === 'string' ? attrs.block : 'linear-attention';
  return { block, ...checkOutputNorm(attrs, block) };
}
