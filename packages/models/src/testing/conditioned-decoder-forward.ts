import { CONDITIONED_DECODER_TASK_LAYER } from './conditioned-decoder.js';
import {
  addRows,
  causalSoftmaxAttentionRows,
  embedTokens,
  logitsRows,
  matmulRows,
  type NamedParameters,
  parameterLookup,
  rotateHalves,
  splitQkvRows,
  standardizeRows,
  swiGluRows,
} from './float64-loops.js';

/** One sequence of `CONDITIONED_DECODER` and its conditioning. */
export interface ConditionedSample {
  /** Token ids. */
  readonly tokens: readonly number[];
  /** Diffusion timestep (f32). */
  readonly timestep: number;
  /** Class label, 0..9. */
  readonly classLabel: number;
  /** Task id, 0..2. */
  readonly taskId: number;
}

/**
 * The forward pass of `CONDITIONED_DECODER` for one sample, written out in float64 loops from the
 * math (DiT, Peebles & Xie 2023; task LayerNorm), independent of Weft's graph and interpreter:
 * `c = fc2(SiLU(fc1([cos(t·f), sin(t·f)]))) + E_class[y]` with `f_i = 10000^(−i/8)`; adaLN
 * `LN(x) ⊙ (1 + scale) + shift` (LN without affine, eps 1e-6) with `[shift, scale] = SiLU(c) W + b`;
 * task LayerNorm `LN(x) ⊙ γ[task] + β[task]` (eps 1e-5) on layer 1; pre-norm blocks of causal RoPE
 * attention (dim i pairs with i + 4, scale 1/√8) and SwiGLU; the final adaLN; logits `x Hᵀ`.
 * Returns `[seq, vocab]` row-major.
 *
 * @example
 * ```ts
 * const logits = conditionedDecoderForwardFloat64(params, { tokens: [1, 2], timestep: 500, classLabel: 3, taskId: 1 });
 * ```
 */
export function conditionedDecoderForwardFloat64(
  params: NamedParameters,
  sample: ConditionedSample,
): Float64Array {
  const [d, hidden, vocab, layers, frequencies] = [32, 48, 48, 3, 16];
  const layout = { heads: 4, kvHeads: 4, headDim: 8 };
  const { heads, headDim } = layout;
  const { tokens } = sample;
  const seq = tokens.length;
  const weight = parameterLookup(params, 'conditioned decoder');
  const silu = (x: number) => x / (1 + Math.exp(-x));

  // The conditioning vector c [d].
  const half = frequencies / 2;
  const embedded = new Float64Array(frequencies);
  for (let i = 0; i < half; i++) {
    const angle = sample.timestep * Math.exp((-Math.log(10_000) * i) / half);
    embedded[i] = Math.cos(angle);
    embedded[half + i] = Math.sin(angle);
  }
  const fc = (x: ArrayLike<number>, name: string, n: number) =>
    matmulRows(x, 1, weight(`timestep.${name}.weight`), n, d, weight(`timestep.${name}.bias`));
  const t = fc(fc(embedded, 'fc1', frequencies).map(silu), 'fc2', d);
  const classTable = weight('classEmbedding');
  const activated = t.map((value, i) => silu(value + classTable[sample.classLabel * d + i]!));

  const adaLn = (x: Float64Array, path: string) => {
    const modulation = matmulRows(
      activated,
      1,
      weight(`${path}.modulation.weight`),
      d,
      2 * d,
      weight(`${path}.modulation.bias`),
    );
    return standardizeRows(x, d, 1e-6).map((value, index) => {
      const i = index % d;
      return value * (1 + modulation[d + i]!) + modulation[i]!;
    });
  };
  const taskLn = (x: Float64Array, path: string) => {
    const [gamma, beta] = [weight(`${path}.gamma`), weight(`${path}.beta`)];
    return standardizeRows(x, d, 1e-5).map((value, index) => {
      const i = index % d;
      return value * gamma[sample.taskId * d + i]! + beta[sample.taskId * d + i]!;
    });
  };

  let stream = embedTokens(weight('embedding.tokens'), tokens, d);
  const width = heads * headDim;
  for (let layer = 0; layer < layers; layer++) {
    const prefix = `layers.${layer}`;
    const norm = (x: Float64Array, slot: string) =>
      layer === CONDITIONED_DECODER_TASK_LAYER
        ? taskLn(x, `${prefix}.${slot}`)
        : adaLn(x, `${prefix}.${slot}`);
    const qkv = matmulRows(norm(stream, 'attnNorm'), seq, weight(`${prefix}.attn.wqkv`), d, 3 * width);
    const [q, k, v] = splitQkvRows(qkv, seq, layout);
    for (let s = 0; s < seq; s++)
      for (let h = 0; h < heads; h++) {
        rotateHalves(q, s * width + h * headDim, s, headDim);
        rotateHalves(k, s * width + h * headDim, s, headDim);
      }
    const attended = causalSoftmaxAttentionRows(q, k, v, layout);
    stream = addRows(stream, matmulRows(attended, seq, weight(`${prefix}.attn.wo`), width, d));
    const gateUp = matmulRows(norm(stream, 'mlpNorm'), seq, weight(`${prefix}.mlp.wGateUp`), d, 2 * hidden);
    stream = addRows(
      stream,
      matmulRows(swiGluRows(gateUp, hidden), seq, weight(`${prefix}.mlp.wDown`), hidden, d),
    );
  }
  return logitsRows(adaLn(stream, 'finalNorm'), weight('head.weight'), d, vocab);
}
