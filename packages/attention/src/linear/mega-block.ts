import {
  add,
  constant,
  type Expr,
  matmul,
  mul,
  type Node,
  param,
  reshape,
  ShapeError,
  SpecError,
  sigmoid,
  silu,
  slice,
  sub,
  tensorRef,
} from '@weft/ir';
import { layerNorm } from '@weft/norms';
import { applyAttention } from '../apply-attention.js';
import { causal } from '../masks/builtin-masks.js';
import { identity as unnormalized } from '../normalizers/identity.js';
import { attention } from '../spec/attention-spec.js';
import { scale, scoreMod } from '../spec/score-mods.js';
import { megaEma } from './mega-ema.js';

/** Mega's attention function: softmax, or an element-wise f(q kᵀ / n + b) with no row sum. */
export type MegaAttentionFunction = 'softmax' | 'laplace' | 'relu2';

/** Options of {@link megaBlock}. */
export interface MegaBlockOptions {
  /** Block name prefixing every parameter (see {@link megaBlock}). */
  readonly name: string;
  /** Width of the shared query/key representation Z (fairseq `zdim`). */
  readonly zDim: number;
  /** Width of the values and of the reset gate r (fairseq `hdim`). */
  readonly hDim: number;
  /** EMA components per channel (fairseq `ndim`, typically 16). */
  readonly components: number;
  /** Forward plus backward EMA (fairseq `bidirectional`); non-causal. Default false. */
  readonly bidirectional?: boolean;
  /** Causal attention mask (a decoder layer); excludes `bidirectional`. Default false. */
  readonly causal?: boolean;
  /** Default `softmax`. */
  readonly attentionFunction?: MegaAttentionFunction;
  /** Size P of the relative-position table `[2P − 1]` (fairseq `max_positions`). Default L. */
  readonly maxPositions?: number;
  /** LayerNorm before the block (fairseq `prenorm`, default true) or after its residual (false). */
  readonly prenorm?: boolean;
  /** Positions per chunk of the EMA's causal sweeps (default the op's). */
  readonly chunkSize?: number;
}

// fairseq's laplace: ½[1 + erf((x − μ)/(σ√2))], μ = √(1/2), σ = √(1/(4π)).
const LAPLACE_MEAN = Math.sqrt(0.5);
const LAPLACE_STD = Math.sqrt(1 / (4 * Math.PI));

/**
 * Mega's moving-average gated attention block (Ma et al. 2023, catalog paper 70; fairseq
 * `MovingAverageGatedAttention`) over x `[B, L, D]`, as graph ops around the EMA's linear-attention
 * op and one fused single-head attention kernel:
 *
 * x' = LayerNorm(x) (pre-norm); v = SiLU(x' W_v + b_v) `[B, L, hDim]`;
 * m = SiLU(EMA(x') + ω ⊙ x') ({@link megaEma}, bidirectional or not);
 * [u, z, r, ĥ] = m W_mx + b_mx, u = σ(u), (z, r) = SiLU; q = z ⊙ γ₀ + β₀, k = z ⊙ γ₁ + β₁;
 * softmax: A = softmax(q kᵀ/√zDim + b_rel); laplace / relu2: A = f(q kᵀ / n + b_rel) with n the
 * visible keys (L, or i + 1 under `causal`) and masked entries 0, no row normalization;
 * b_rel(i, j) = relPosBias[j − i + P − 1]; H = SiLU(ĥ + ((A v) ⊙ r) W_h + b_h);
 * y = x + u ⊙ (H − x) (post-norm: LayerNorm(y)). Dropout and fairseq's attention chunking are
 * left out (inference, one chunk); the normalized FFN that follows in a Mega layer is not part of it.
 *
 * Parameters (x·W layout, `[in, out]`): `${name}.norm.gamma|beta` `[D]`, `${name}.v.weight`
 * `[D, hDim]` and `.bias`, the EMA's `${name}.ema.delta|alpha|beta|gamma` `[D or 2D, N]` and
 * `.omega` `[D]`, `${name}.mx.weight` `[D, 2D + zDim + hDim]` (columns u, z, r, ĥ, fairseq's
 * order) and `.bias`, `${name}.qk.gamma|beta` `[2, zDim]`, `${name}.relPosBias` `[2P − 1]`,
 * `${name}.h.weight` `[hDim, D]` and `.bias`.
 *
 * @example
 * ```ts
 * const y = megaBlock(input('x', [1, 32, 16]), { name: 'layers.0.mega', zDim: 8, hDim: 32, components: 4 });
 * ```
 * @throws ShapeError when x is not `[B, L, D]` with static sizes.
 * @throws SpecError on a non-integer width, `causal` with `bidirectional`, an unknown attention
 *   function, or a position table shorter than L.
 */
export function megaBlock(x: Node, options: MegaBlockOptions): Node {
  const { name, zDim, hDim, components } = options;
  if (x.rank !== 3 || !x.shape.every((size) => typeof size === 'number'))
    throw new ShapeError(`Mega block "${name}": x must be [B, L, D] with static sizes`, {
      block: name,
      tensor: 'x',
      expected: '[B, L, D]',
      actual: `[${x.shape.join(', ')}]`,
    });
  const [batch, length, width] = x.shape as [number, number, number];
  for (const [key, value] of Object.entries({ zDim, hDim, components }))
    if (!Number.isInteger(value) || value < 1)
      throw new SpecError(`Mega block "${name}": ${key} must be an integer >= 1`, {
        block: name,
        expected: 'an integer >= 1',
        actual: value,
      });
  const isCausal = options.causal === true;
  if (isCausal && options.bidirectional === true)
    throw new SpecError(`Mega block "${name}": a causal block cannot use the bidirectional EMA`, {
      block: name,
      expected: 'causal or bidirectional, not both',
      actual: 'both',
    });
  const fn = options.attentionFunction ?? 'softmax';
  if (fn !== 'softmax' && fn !== 'laplace' && fn !== 'relu2')
    throw new SpecError(`Mega block "${name}": unknown attention function`, {
      block: name,
      expected: "'softmax' | 'laplace' | 'relu2'",
      actual: String(fn),
    });
  const positions = options.maxPositions ?? length;
  if (!Number.isInteger(positions) || positions < length)
    throw new SpecError(`Mega block "${name}": maxPositions must be an integer >= L`, {
      block: name,
      tensor: `${name}.relPosBias`,
      expected: `>= ${length}`,
      actual: positions,
    });

  const prenorm = options.prenorm !== false;
  const norm = (node: Node) => layerNorm(node, { name: `${name}.norm` });
  const linear = (node: Node, part: string, inWidth: number, outWidth: number) =>
    add(
      matmul(node, param(`${name}.${part}.weight`, [inWidth, outWidth])),
      param(`${name}.${part}.bias`, [outWidth]),
    );
  const columns = (node: Node, from: number, to: number) => slice(node, [0, 0, from], [batch, length, to]);

  const normed = prenorm ? norm(x) : x;
  const value = silu(linear(normed, 'v', width, hDim));
  const moved = megaEma(normed, {
    name: `${name}.ema`,
    components,
    ...(options.bidirectional === true ? { bidirectional: true } : {}),
    ...(options.chunkSize === undefined ? {} : { chunkSize: options.chunkSize }),
  }).output;
  const base = linear(moved, 'mx', width, 2 * width + zDim + hDim);
  const update = sigmoid(columns(base, 0, width));
  const gates = silu(columns(base, width, width + zDim + hDim));
  const shared = columns(gates, 0, zDim);
  const reset = columns(gates, zDim, zDim + hDim);
  const candidate = columns(base, width + zDim + hDim, 2 * width + zDim + hDim);
  const row = (part: 'gamma' | 'beta', index: number) =>
    reshape(slice(param(`${name}.qk.${part}`, [2, zDim]), [index], [index + 1]), [zDim]);
  const heads = (node: Node, dim: number) => reshape(node, [batch, 1, length, dim]);
  const query = heads(add(mul(shared, row('gamma', 0)), row('beta', 0)), zDim);
  const key = heads(add(mul(shared, row('gamma', 1)), row('beta', 1)), zDim);

  const biasName = `${name}.relPosBias`;
  const table = tensorRef(biasName, [2 * positions - 1]);
  const relativeBias = (k: Expr, q: Expr) => table.at(k.sub(q).add(positions - 1));
  const spec = attention({
    heads: 1,
    headDim: zDim,
    valueDim: hDim,
    name: `${name}.attention`,
    ...(isCausal ? { mask: causal() } : {}),
    ...(fn === 'softmax'
      ? { score: scoreMod((score, { q, k }) => score.add(relativeBias(k, q)), 'megaRelativeBias') }
      : {
          score: [scale(1), elementScore(fn, isCausal, relativeBias)],
          normalizer: unnormalized({ outputNorm: 'none' }),
        }),
  });
  const attended = applyAttention(spec, {
    query,
    key,
    value: heads(value, hDim),
    tensors: { [biasName]: param(biasName, [2 * positions - 1]) },
  }).output;
  const hidden = silu(
    add(candidate, linear(mul(reshape(attended, [batch, length, hDim]), reset), 'h', hDim, width)),
  );
  const out = add(x, mul(update, sub(hidden, x)));
  return prenorm ? out : norm(out);
}

/** f(s / n + b_rel) for Mega's element attention: n = the keys a query sees. */
function elementScore(fn: 'laplace' | 'relu2', isCausal: boolean, relativeBias: (k: Expr, q: Expr) => Expr) {
  return scoreMod(
    (score, { q, k, keyLength }) => {
      const visible = (isCausal ? q.add(1) : keyLength).cast('f32');
      const s = score.div(visible).add(relativeBias(k, q));
      if (fn === 'relu2') {
        const positive = s.max(0);
        return positive.mul(positive);
      }
      const standardized = s.sub(LAPLACE_MEAN).div(LAPLACE_STD * Math.SQRT2);
      return constant(1).add(standardized.apply('erf')).mul(0.5);
    },
    `mega${fn === 'relu2' ? 'Relu2' : 'Laplace'}`,
  );
}
