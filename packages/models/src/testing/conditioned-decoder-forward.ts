import { CONDITIONED_DECODER_TASK_LAYER } from './conditioned-decoder.js';
import type { NamedParameters } from './sink-decoder-forward.js';

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
  const [d, heads, headDim, hidden, vocab, layers, frequencies] = [32, 4, 8, 48, 48, 3, 16];
  const { tokens } = sample;
  const seq = tokens.length;
  const weight = (name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`conditioned decoder forward: no parameter ${name}`);
    return value;
  };
  const silu = (x: number) => x / (1 + Math.exp(-x));
  // x [rows, n] @ W [n, m] (+ b).
  const matmul = (
    x: ArrayLike<number>,
    rows: number,
    w: ArrayLike<number>,
    n: number,
    m: number,
    b?: ArrayLike<number>,
  ) => {
    const y = new Float64Array(rows * m);
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < m; j++) {
        let sum = b === undefined ? 0 : b[j]!;
        for (let i = 0; i < n; i++) sum += x[r * n + i]! * w[i * m + j]!;
        y[r * m + j] = sum;
      }
    return y;
  };

  // The conditioning vector c [d].
  const half = frequencies / 2;
  const embedded = new Float64Array(frequencies);
  for (let i = 0; i < half; i++) {
    const angle = sample.timestep * Math.exp((-Math.log(10_000) * i) / half);
    embedded[i] = Math.cos(angle);
    embedded[half + i] = Math.sin(angle);
  }
  const h1 = matmul(
    embedded,
    1,
    weight('timestep.fc1.weight'),
    frequencies,
    d,
    weight('timestep.fc1.bias'),
  ).map(silu);
  const t = matmul(h1, 1, weight('timestep.fc2.weight'), d, d, weight('timestep.fc2.bias'));
  const classTable = weight('classEmbedding');
  const c = t.map((value, i) => value + classTable[sample.classLabel * d + i]!);
  const activated = c.map(silu);

  const standardize = (x: Float64Array, eps: number) => {
    const y = new Float64Array(x.length);
    for (let s = 0; s < seq; s++) {
      let mean = 0;
      for (let i = 0; i < d; i++) mean += x[s * d + i]!;
      mean /= d;
      let variance = 0;
      for (let i = 0; i < d; i++) variance += (x[s * d + i]! - mean) ** 2;
      const inv = 1 / Math.sqrt(variance / d + eps);
      for (let i = 0; i < d; i++) y[s * d + i] = (x[s * d + i]! - mean) * inv;
    }
    return y;
  };
  const adaLn = (x: Float64Array, path: string) => {
    const modulation = matmul(
      activated,
      1,
      weight(`${path}.modulation.weight`),
      d,
      2 * d,
      weight(`${path}.modulation.bias`),
    );
    return standardize(x, 1e-6).map((value, index) => {
      const i = index % d;
      return value * (1 + modulation[d + i]!) + modulation[i]!;
    });
  };
  const taskLn = (x: Float64Array, path: string) => {
    const [gamma, beta] = [weight(`${path}.gamma`), weight(`${path}.beta`)];
    return standardize(x, 1e-5).map((value, index) => {
      const i = index % d;
      return value * gamma[sample.taskId * d + i]! + beta[sample.taskId * d + i]!;
    });
  };
  const rotate = (x: Float64Array, offset: number, position: number) => {
    for (let i = 0; i < headDim / 2; i++) {
      const angle = position * 10_000 ** (-(2 * i) / headDim);
      const [a, b] = [x[offset + i]!, x[offset + i + headDim / 2]!];
      x[offset + i] = a * Math.cos(angle) - b * Math.sin(angle);
      x[offset + i + headDim / 2] = b * Math.cos(angle) + a * Math.sin(angle);
    }
  };

  const table = weight('embedding.tokens');
  let stream = new Float64Array(seq * d);
  tokens.forEach((token, s) => {
    for (let i = 0; i < d; i++) stream[s * d + i] = table[token * d + i]!;
  });
  const width = heads * headDim;
  for (let layer = 0; layer < layers; layer++) {
    const prefix = `layers.${layer}`;
    const norm = (x: Float64Array, slot: string) =>
      layer === CONDITIONED_DECODER_TASK_LAYER
        ? taskLn(x, `${prefix}.${slot}`)
        : adaLn(x, `${prefix}.${slot}`);
    const qkv = matmul(norm(stream, 'attnNorm'), seq, weight(`${prefix}.attn.wqkv`), d, 3 * width);
    const [q, k, v] = [0, 1, 2].map((part) => {
      const out = new Float64Array(seq * width);
      for (let s = 0; s < seq; s++)
        for (let j = 0; j < width; j++) out[s * width + j] = qkv[s * 3 * width + part * width + j]!;
      return out;
    }) as [Float64Array, Float64Array, Float64Array];
    for (let s = 0; s < seq; s++)
      for (let h = 0; h < heads; h++) {
        rotate(q, s * width + h * headDim, s);
        rotate(k, s * width + h * headDim, s);
      }
    const attended = new Float64Array(seq * width);
    for (let h = 0; h < heads; h++)
      for (let p = 0; p < seq; p++) {
        const scores: number[] = [];
        for (let j = 0; j <= p; j++) {
          let dot = 0;
          for (let i = 0; i < headDim; i++)
            dot += q[p * width + h * headDim + i]! * k[j * width + h * headDim + i]!;
          scores.push(dot / Math.sqrt(headDim));
        }
        const max = Math.max(...scores);
        const exps = scores.map((score) => Math.exp(score - max));
        const total = exps.reduce((sum, e) => sum + e, 0);
        exps.forEach((e, j) => {
          for (let i = 0; i < headDim; i++)
            attended[p * width + h * headDim + i]! += (e / total) * v[j * width + h * headDim + i]!;
        });
      }
    const attentionOut = matmul(attended, seq, weight(`${prefix}.attn.wo`), width, d);
    stream = stream.map((value, index) => value + attentionOut[index]!);
    const gateUp = matmul(norm(stream, 'mlpNorm'), seq, weight(`${prefix}.mlp.wGateUp`), d, 2 * hidden);
    const gated = new Float64Array(seq * hidden);
    for (let s = 0; s < seq; s++)
      for (let j = 0; j < hidden; j++)
        gated[s * hidden + j] = silu(gateUp[s * 2 * hidden + j]!) * gateUp[s * 2 * hidden + hidden + j]!;
    const mlpOut = matmul(gated, seq, weight(`${prefix}.mlp.wDown`), hidden, d);
    stream = stream.map((value, index) => value + mlpOut[index]!);
  }
  const final = adaLn(stream, 'finalNorm');
  const head = weight('head.weight');
  const logits = new Float64Array(seq * vocab);
  for (let s = 0; s < seq; s++)
    for (let token = 0; token < vocab; token++) {
      let sum = 0;
      for (let i = 0; i < d; i++) sum += final[s * d + i]! * head[token * d + i]!;
      logits[s * vocab + token] = sum;
    }
  return logits;
}
