import { gelu, geluTanh, mul, type Node, relu, SpecError, silu, withLabel } from '@weft/ir';
import { checkExactOptions } from './exact-options.js';
import { linear } from './linear.js';
import { childPath } from './parameter-path.js';
import { sliceAxis } from './slice-axis.js';
import { staticDimOf } from './static-dim.js';

/** The feed-forward variants. */
export type MlpKind = 'gelu' | 'geluTanh' | 'relu2' | 'swiglu' | 'geglu';

/** Options of {@link mlp}. */
export interface MlpOptions {
  /**
   * `gelu`: `W_down · gelu(W_up x)` with the exact (erf) GELU (BERT); `geluTanh`: the same with
   * GELU's tanh approximation `x/2 · (1 + tanh(√(2/π) (x + 0.044715 x³)))` (GPT-2's `gelu_new`);
   * `relu2`: `W_down · relu(W_up x)²` (So et al.
   * 2021, Primer); `swiglu`: `W_down · (silu(W_gate x) ⊙ W_up x)` (Shazeer 2020, Llama); `geglu`:
   * the same with GELU (Shazeer 2020, Gemma).
   */
  readonly kind: MlpKind;
  /** Hidden width (free; Llama uses about 8/3 · d rounded). */
  readonly hidden: number;
  /** Add biases (`${name}.bUp`, `${name}.bDown`, gated: `${name}.bGateUp`). Default false. */
  readonly bias?: boolean;
}

const MLP_OPTIONS = ['kind', 'hidden', 'bias'];

/**
 * The position-wise feed-forward block. Gated variants compute gate and up projections with one
 * matmul against `${name}.wGateUp` `[d, 2·hidden]` (gate columns first, then up), so the input is
 * read once; `gelu`, `geluTanh` and `relu2` use `${name}.wUp` `[d, hidden]`. The down projection is `${name}.wDown`
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
 * const y = mlp(x, { kind: 'swiglu', hidden: 344 }, 'layers.0.mlp');
 * const z = mlp(x, { kind: 'relu2', hidden: 512 }, 'layers.1.mlp'); // Primer's squared ReLU
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
  const bias = (part: string) => (options.bias === true ? { bias: childPath(name, part) } : {});
  let activated: Node;
  if (kind === 'gelu' || kind === 'geluTanh' || kind === 'relu2') {
    const up = part('up', () =>
      linear(x, { outFeatures: hidden, weight: childPath(name, 'wUp'), ...bias('bUp') }),
    );
    activated = part('act', () => {
      if (kind === 'gelu') return gelu(up);
      if (kind === 'geluTanh') return geluTanh(up);
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
      return mul(kind === 'swiglu' ? silu(gate) : gelu(gate), up);
    });
  } else {
    throw new SpecError(`mlp "${name}": unknown kind`, {
      block: name,
      expected: "'gelu' | 'geluTanh' | 'relu2' | 'swiglu' | 'geglu'",
      actual: kind,
    });
  }
  return part('down', () =>
    linear(activated, { outFeatures: width, weight: childPath(name, 'wDown'), ...bias('bDown') }),
  );
}
