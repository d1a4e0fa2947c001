import {
  add,
  concat,
  cos,
  exp,
  input,
  literal,
  makeGraph,
  mul,
  type Node,
  param,
  reshape,
  sin,
  slice,
  softplus,
  sub,
  tensorRef,
} from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { causal } from '../masks/builtin-masks.js';
import { attention } from '../spec/attention-spec.js';
import { type ScoreMod, scale, scoreMod } from '../spec/score-mods.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seeded, seededInRange } from './seeded-values.js';
import { squaredNorms } from './squared-norms.js';

const NAME = 'adaptive-filter-attention';
/** Prefix of the parameters and block names (short: it names the kernels' bindings). */
const PREFIX = 'afa';
const HEADS = 4;
const LENGTH = 24;
const DIM = 16;
const HALF = DIM / 2;
/** The per-head scalars, each `[heads]`, positive through a softplus of the parameter. */
const SCALARS = ['mu', 'sigma2', 'eta2', 'gamma2', 'nu', 'tau'] as const;
/** Below this decay μ the variance takes its μ → 0 limit σ²Δ + η² + γ² (no 0/0). */
const SMALL_DECAY = 1e-6;

/**
 * The isotropic AFA score (robust form, DLE bias) as a score mod over the raw rotated dot product
 * Re(Q̃_i^* K̃_j) (the first mod sets the scale to 1), ‖Q̃_i‖², ‖K̃_j‖² (captured `[B, H, N]`), Δ = i − j
 * and the per-head scalars: E = e^{−μΔ}, |R|² = ‖Q̃‖² + E²‖K̃‖² − 2E·dot,
 * V = σ²(1 − e^{−2μΔ})/(2μ) + η²e^{−2μΔ} + γ² (σ²Δ + η² + γ² as μ → 0), S = ν d V,
 * s = τ²(−log V − log(1 + |R|²/S)).
 */
function adaptiveFilterScore(scalars: Readonly<Record<(typeof SCALARS)[number], string>>): ScoreMod[] {
  const at = (name: string) => tensorRef(name, [HEADS]);
  const queryNorms = tensorRef('queryNormSquared', [1, HEADS, LENGTH]);
  const keyNorms = tensorRef('keyNormSquared', [1, HEADS, LENGTH]);
  const score = scoreMod((dot, { b, h, q, k }) => {
    const [mu, sigma2, eta2, gamma2, nu, tau] = SCALARS.map((scalar) => at(scalars[scalar]).at(h));
    const delta = q.sub(k).cast('f32');
    const decay = mu!.neg().mul(delta).apply('exp');
    const residual = queryNorms
      .at(b, h, q)
      .add(decay.mul(decay).mul(keyNorms.at(b, h, k)))
      .sub(decay.mul(dot).mul(2));
    // (1 − e^{−2μΔ})/(2μ) through expm1: accurate for small μΔ; its limit Δ below SMALL_DECAY.
    const growth = mu!
      .lt(SMALL_DECAY)
      .select(delta, mu!.mul(-2).mul(delta).apply('expm1').neg().div(mu!.mul(2).max(SMALL_DECAY)));
    const variance = sigma2!
      .mul(growth)
      .add(eta2!.mul(decay.mul(decay)))
      .add(gamma2!);
    const spread = nu!.mul(DIM).mul(variance);
    return tau!.mul(tau!).mul(variance.apply('log').neg().sub(residual.div(spread).apply('log1p')));
  }, 'adaptiveFilterScore(isotropic, robust)');
  return [scale(1), score];
}

/** e^{∓iθ} applied to complex features stored as [real half | imaginary half] of the last axis. */
function rotate(x: Node, angle: Node, sign: 1 | -1): Node {
  const shape = x.shape as number[];
  const half = shape[3]! / 2;
  const re = slice(x, [0, 0, 0, 0], [shape[0]!, shape[1]!, shape[2]!, half]);
  const im = slice(x, [0, 0, 0, half], shape);
  const [c, s] = [cos(angle), mul(sin(angle), sign)];
  // e^{−iθ}(a + ib) = (a cos θ + b sin θ) + i(b cos θ − a sin θ); sign −1 gives e^{+iθ}.
  return concat([add(mul(re, c), mul(im, s)), sub(mul(im, c), mul(re, s))], 3);
}

/**
 * Attention as an Adaptive Filter (catalog paper 20), isotropic variant, on causal self-attention
 * over 24 tokens, 4 heads of dim 16 (8 complex features): eigenvalues λ = −μ + iω with learnable
 * frequencies ω `[1, 4, 1, 8]` per head; Q̃_i = e^{−iωt_i} q_i and K̃_j = e^{−iωt_j} k_j (t_i = i) by
 * IR ops before the op; the AFA score (see `adaptiveFilterScore` above) in the kernel's score hook;
 * causal softmax. Outputs `output` = A V and `pulledForward`, the values pulled forward to the
 * query time (rotate_values): Σ_j a_ij e^{λ(t_i − t_j)} v_j = e^{iωt_i} Σ_j a_ij E_ij (e^{−iωt_j} v_j),
 * exactly, by a second attention kernel over the rotated values with the decay folded into its
 * log-weight, s_ij − μΔ, rescaled by exp(lse' − lse) (the first kernel's lse).
 */
export const adaptiveFilterCatalogEntry: AttentionCatalogEntry = {
  mechanism: NAME,
  paper: 20,
  build() {
    const shape = [1, HEADS, LENGTH, DIM];
    const [query, key, value] = ['q', 'k', 'v'].map((name) => input(name, shape)) as [Node, Node, Node];
    const positions = literal(
      Array.from({ length: LENGTH }, (_, t) => t),
      [1, 1, LENGTH, 1],
      'f32',
    );
    const angle = mul(param(`${PREFIX}.omega`, [1, HEADS, 1, HALF]), positions);
    const [rotatedQuery, rotatedKey, rotatedValue] = [query, key, value].map((x) => rotate(x, angle, 1)) as [
      Node,
      Node,
      Node,
    ];
    const names = Object.fromEntries(SCALARS.map((scalar) => [scalar, `${PREFIX}.${scalar}`])) as Record<
      (typeof SCALARS)[number],
      string
    >;
    const positive = Object.fromEntries(
      SCALARS.map((scalar) => [names[scalar], softplus(param(names[scalar], [HEADS]))]),
    );
    const tensors = {
      ...positive,
      queryNormSquared: squaredNorms(rotatedQuery),
      keyNormSquared: squaredNorms(rotatedKey),
    };
    const score = adaptiveFilterScore(names);
    const filtered = applyAttention(
      attention({
        name: PREFIX,
        heads: HEADS,
        headDim: DIM,
        score,
        mask: causal(),
        outputs: { logSumExp: true },
      }),
      { query: rotatedQuery, key: rotatedKey, value, tensors },
    );
    const decayRate = tensorRef(names.mu, [HEADS]);
    const decayed = scoreMod(
      (s, { h, q, k }) => s.sub(decayRate.at(h).mul(q.sub(k).cast('f32'))),
      'decay folded into the log-weight',
    );
    const pulled = applyAttention(
      attention({
        name: `${PREFIX}.pulled`,
        heads: HEADS,
        headDim: DIM,
        score: [...score, decayed],
        mask: causal(),
        outputs: { logSumExp: true },
      }),
      { query: rotatedQuery, key: rotatedKey, value: rotatedValue, tensors },
    );
    const rescale = reshape(exp(sub(pulled.logSumExp!, filtered.logSumExp!)), [1, HEADS, LENGTH, 1]);
    const pulledForward = rotate(mul(pulled.output, rescale), angle, -1);
    const count = HEADS * LENGTH * DIM;
    // Raw parameters whose softplus gives μ ∈ (0.02, 0.3) (head 0: 2e-9, the μ → 0 branch),
    // σ², η², γ² ~ 0.3–1.3, ν ~ 1, τ ~ 1.
    const mu = seededInRange(HEADS, 31, -4, -1.2);
    mu[0] = -20;
    const scalarValues: Record<(typeof SCALARS)[number], Float32Array> = {
      mu,
      sigma2: seededInRange(HEADS, 32, -1, 1),
      eta2: seededInRange(HEADS, 33, -1, 1),
      gamma2: seededInRange(HEADS, 34, -1, 0.5),
      nu: seededInRange(HEADS, 35, 0, 1),
      tau: seededInRange(HEADS, 36, 0.3, 1.2),
    };
    return {
      graph: makeGraph({ output: filtered.output, pulledForward }),
      params: {
        [`${PREFIX}.omega`]: seededInRange(HEADS * HALF, 30, 0.01, 1),
        ...Object.fromEntries(SCALARS.map((scalar) => [names[scalar], scalarValues[scalar]])),
      },
      inputs: { q: seeded(count, 1), k: seeded(count, 2), v: seeded(count, 3) },
      dims: {},
    };
  },
};
