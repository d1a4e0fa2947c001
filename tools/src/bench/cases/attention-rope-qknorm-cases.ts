import { type BenchCase, once } from '../bench-case.js';
import { randomValues } from '../random-values.js';
import { attentionReference } from '../reference/attention-reference.js';
import { type WeftCaseProgram, weftSystem } from '../weft/weft-system.js';

/**
 * Where RoPE and QK norm cost least: a causal self-attention layer's Q/K/V projection (one matmul
 * each from `x` `[1, N, 128]`), RMS QK norm with learned γ, 1-D RoPE (`half` layout, base 10 000)
 * and causal softmax attention (H=4, d=32), output `[1, N, 128]`. Two Weft forms of the same math
 * on the same inputs, timed in the same rounds:
 * - `weft-fused`: the spec carries `qkNorm()` and `rope()`, so the attention kernel normalizes and
 *   rotates each Q row as it loads it and each K row as it stages a key tile (once per query block);
 * - `weft-hoisted`: `applyAttention(..., { qkTransforms: 'beforeKernel' })` makes the norm and
 *   rotation primitive ops on the projected Q and K (the math of the attention op's decomposition),
 *   which the compiler fuses into their own kernels, and a spec without them runs in the kernel.
 */
export function attentionRopeQkNormCases(sequences: readonly number[]): BenchCase[] {
  return sequences.map((sequence) => ropeQkNormCase(sequence));
}

const HEADS = 4;
const HEAD_DIM = 32;
const WIDTH = HEADS * HEAD_DIM;
const EPSILON = 1e-6;
const ROPE_BASE = 10_000;

function ropeQkNormCase(sequence: number): BenchCase {
  return {
    name: `attention-rope-qknorm-n${sequence}`,
    group: 'attention-rope-qknorm',
    description: `x·Wq/Wk/Wv + RMS QK norm + RoPE + causal MHA, N=${sequence} H=${HEADS} d=${HEAD_DIM}: in the kernel (weft-fused) or before it (weft-hoisted)`,
    setup({ weft }) {
      const data = ropeQkNormData(sequence);
      const build = (placement: QkTransformPlacement) => () => ropeQkNormProgram(data, placement);
      const computeReference = once(() => reference(data));
      return {
        get reference() {
          return computeReference();
        },
        flops: 2 * 3 * sequence * WIDTH * WIDTH + (4 * HEADS * sequence * sequence * HEAD_DIM) / 2,
        systems: {
          'weft-fused': weftSystem(weft, true, build('inKernel')),
          'weft-hoisted': weftSystem(weft, true, build('beforeKernel')),
        },
      };
    },
  };
}

/** Where the case applies QK norm and RoPE: in the attention kernel, or as ops before it. */
export type QkTransformPlacement = 'inKernel' | 'beforeKernel';

/** The seeded inputs and parameters of the case at one sequence length. */
export interface RopeQkNormData {
  /** Sequence length N. */
  readonly sequence: number;
  /** The layer input `[1, N, 128]`. */
  readonly x: Float32Array;
  /** Parameters by name: `wq`, `wk`, `wv` `[128, 128]`, `mha.qNorm.gamma`, `mha.kNorm.gamma` `[32]`. */
  readonly params: Readonly<Record<string, Float32Array>>;
}

/** Seeded random inputs and parameters (projections scaled by 1/√width, γ around 1). */
export function ropeQkNormData(sequence: number): RopeQkNormData {
  const scale = 1 / Math.sqrt(WIDTH);
  const [wq, wk, wv] = [52, 53, 54].map((seed) =>
    randomValues(WIDTH * WIDTH, seed).map((w) => w * scale),
  ) as [Float32Array, Float32Array, Float32Array];
  const [queryGamma, keyGamma] = [55, 56].map((seed) =>
    randomValues(HEAD_DIM, seed).map((g) => 1 + 0.5 * g),
  ) as [Float32Array, Float32Array];
  return {
    sequence,
    x: randomValues(sequence * WIDTH, 51),
    params: { wq, wk, wv, 'mha.qNorm.gamma': queryGamma, 'mha.kNorm.gamma': keyGamma },
  };
}

/** The Weft program of the case with QK norm and RoPE at `placement`. */
export async function ropeQkNormProgram(
  data: RopeQkNormData,
  placement: QkTransformPlacement,
): Promise<WeftCaseProgram> {
  const ir = await import('@weft/ir');
  const { applyAttention, attention, causal, qkNorm, rope } = await import('@weft/attention');
  const { input, makeGraph, matmul, param, permute, reshape } = ir;
  const { sequence } = data;
  const dims = [1, sequence, WIDTH];
  const source = input('x', dims);
  const heads = (weight: string) =>
    permute(
      reshape(matmul(source, param(weight, [WIDTH, WIDTH])), [1, sequence, HEADS, HEAD_DIM]),
      [0, 2, 1, 3],
    );
  const spec = attention({
    heads: HEADS,
    headDim: HEAD_DIM,
    mask: causal(),
    positions: rope(),
    qkNorm: qkNorm({ eps: EPSILON }),
    name: 'mha',
  });
  const { output } = applyAttention(
    spec,
    { query: heads('wq'), key: heads('wk'), value: heads('wv') },
    { qkTransforms: placement },
  );
  return {
    graph: makeGraph({ output: reshape(permute(output, [0, 2, 1, 3]), dims) }),
    params: data.params,
    inputs: { x: data.x },
  };
}

/** The layer in float64: projections, RMS QK norm with γ, RoPE, then causal attention. */
function reference(data: RopeQkNormData): Float64Array {
  const { sequence, x, params } = data;
  const project = (weight: Float32Array) => {
    const result = new Float64Array(sequence * WIDTH);
    for (let n = 0; n < sequence; n++)
      for (let k = 0; k < WIDTH; k++) {
        const xValue = x[n * WIDTH + k]!;
        for (let c = 0; c < WIDTH; c++) result[n * WIDTH + c]! += xValue * weight[k * WIDTH + c]!;
      }
    return result;
  };
  const half = HEAD_DIM / 2;
  const transform = (rows: Float64Array, gamma: Float32Array) => {
    const result = new Float64Array(rows.length);
    const normed = new Float64Array(HEAD_DIM);
    for (let n = 0; n < sequence; n++)
      for (let h = 0; h < HEADS; h++) {
        const offset = n * WIDTH + h * HEAD_DIM;
        let squares = 0;
        for (let d = 0; d < HEAD_DIM; d++) squares += rows[offset + d]! ** 2;
        const inverse = 1 / Math.sqrt(squares / HEAD_DIM + EPSILON);
        for (let d = 0; d < HEAD_DIM; d++) normed[d] = rows[offset + d]! * inverse * gamma[d]!;
        for (let d = 0; d < HEAD_DIM; d++) {
          const angle = n * ROPE_BASE ** ((-2 * (d % half)) / HEAD_DIM);
          const partner = d < half ? -normed[d + half]! : normed[d - half]!;
          result[offset + d] = normed[d]! * Math.cos(angle) + partner * Math.sin(angle);
        }
      }
    return result;
  };
  const query = transform(project(params.wq!), params['mha.qNorm.gamma']!);
  const key = transform(project(params.wk!), params['mha.kNorm.gamma']!);
  return attentionReference(query, key, project(params.wv!), {
    batch: 1,
    heads: HEADS,
    sequence,
    headDim: HEAD_DIM,
    causal: true,
  });
}
