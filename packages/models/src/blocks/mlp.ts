import { gelu, geluTanh, mul, type Node, relu, SpecError, silu, withLabel } from '@weft/ir';
import { checkExactOptions } from './exact-options.js';
import { linear } from './linear.js';
import { childPath } from './parameter-path.js';
import { sliceAxis } from './slice-axis.js';
import { staticDimOf } from './static-dim.js';

/** The feed-forward variants. */
export type MlpKind = 'gelu' | 'relu2' | 'swiglu' | 'geglu';

/**
 * Which GELU the `gelu` and `geglu` kinds use, named as PyTorch's `nn.GELU(approximate=...)`:
 * `none`, the exact `x · Φ(x)`; `tanh`, `x/2 · (1 + tanh(√(2/π) (x + 0.044715 x³)))` (GPT-2's
 * `gelu_new`, Gemma's `gelu_pytorch_tanh`).
 */
export type GeluApproximation = 'none' | 'tanh';

/** Options of {@link mlp}. */
export interface MlpOptions {
  /**
   * `gelu`: `W_down · gelu(W_up x)` (GPT-2, BERT); `relu2`: `W_down · relu(W_up x)²` (So et al.
   * 2021, Primer); `swiglu`: `W_down · (silu(W_gate x) ⊙ W_up x)` (Shazeer 2020, Llama); `geglu`:
   * the same with GELU (Shazeer 2020, Gemma).
   */
  readonly kind: MlpKind;
  /** Hidden width (free; Llama uses about 8/3 · d rounded). */
  readonly hidden: number;
  /** Add biases (`${name}.bUp`, `${name}.bDown`, gated: `${name}.bGateUp`). Default false. */
  readonly bias?: boolean;
  /** The GELU of the `gelu` and `geglu` kinds (see {@link GeluApproximation}). Default `none`. */
  readonly approximate?: GeluApproximation;
}

/** The option names of {@link MlpOptions}, for exactness checks. */
export const MLP_OPTIONS: readonly string[] = ['kind', 'hidden', 'bias', 'approximate'];

/**
 * The position-wise feed-forward block. Gated variants compute gate and up projections with one
 * matmul against `${name}.wGateUp` `[d, 2·hidden]` (gate columns first, then up), so the input is
 * read once; `gelu` and `relu2` use `${name}.wUp` `[d, hidden]`. The down projection is `${name}.wDown`
 * `[hidden, d]`.
 *
 * Shapes: `x` `[..., d]` → `[..., d]`.
 *
 * The nodes are labelled under `name` (see `withLabel` in `@weft/ir`): the up projection
 * `${name}.up` (gated: `${name}.gateUp`), the activation `${name}.act`, the down projection
 * `${name}.down`.
 *
 * @example
 * ```ts
 * const x = input('x', [1, 16, 128]);
 * const y = mlp(x, { kind: 'swiglu', hidden: 344 }, 'layers.0.mlp');
 * const z = mlp(x, { kind: 'relu2', hidden: 512 }, 'layers.1.mlp'); // Primer's squared ReLU
 * const g = mlp(x, { kind: 'geglu', hidden: 512, approximate: 'tanh' }, 'layers.2.mlp'); // Gemma 2
 * ```
 */
export function mlp(x: Node, options: MlpOptions, name: string): Node {
  return withLabel(name, () => buildMlp(x, options, name));
}

function buildMlp(x: Node, options: MlpOptions, name: string): Node {
  const part = <T>(suffix: string, build: () => T): T => withLabel(childPath(name, suffix), build);
  checkExactOptions(`mlp "${name}"`, name, options, MLP_OPTIONS);
  const width = staticDimOf(x, -1, `mlp "${name}"`);
  const { kind, hidden } = options;
  const geluOf = geluFunction(options, name);
  const bias = (part: string) => (options.bias === true ? { bias: childPath(name, part) } : {});
  let activated: Node;
  if (kind === 'gelu' || kind === 'relu2') {
    const up = part('up', () =>
      linear(x, { outFeatures: hidden, weight: childPath(name, 'wUp'), ...bias('bUp') }),
    );
    activated = part('act', () => {
      if (kind === 'gelu') return geluOf(up);
      const rectified = relu(up);
      return mul(rectified, rectified);
    });
  } else if (kind === 'swiglu' || kind === 'geglu') {
    const both = part('gateUp', () =>
      linear(x, { outFeatures: 2 * hidden, weight: childPath(name, 'wGateUp'), ...bias('bGateUp') }),
    );
    const last = x.rank - 1;
    activated = part('act', () => {
      const gate = sliceAxis(both, last, 0, hidden);
      const up = sliceAxis(both, last, hidden, 2 * hidden);
      return mul(kind === 'swiglu' ? silu(gate) : geluOf(gate), up);
    });
  } else {
    throw new SpecError(`mlp "${name}": unknown kind`, {
      block: name,
      expected: "'gelu' | 'relu2' | 'swiglu' | 'geglu'",
      actual: kind,
    });
  }
  return part('down', () =>
    linear(activated, { outFeatures: width, weight: childPath(name, 'wDown'), ...bias('bDown') }),
  );
}

/** The GELU `options.approximate` names; refused for kinds without a GELU. */
function geluFunction(options: MlpOptions, name: string): (x: Node) => Node {
  const approximate = options.approximate ?? 'none';
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new SpecError(`mlp "${name}": unknown option value approximate`, {
      block: name,
      expected: "'none' | 'tanh'",
      actual: String(approximate),
    });
  }
  if (approximate === 'tanh' && options.kind !== 'gelu' && options.kind !== 'geglu') {
    throw new SpecError(`mlp "${name}": approximate 'tanh' is for the gelu and geglu kinds`, {
      block: name,
      expected: "kind 'gelu' or 'geglu'",
      actual: options.kind,
    });
  }
  return approximate === 'tanh' ? geluTanh : gelu;
}
