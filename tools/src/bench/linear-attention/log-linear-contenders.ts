import { fenwickLevelCount, logLinearAttention } from '@weft/attention/linear';
import { decomposeExtensionOps, type Graph, input, makeGraph } from '@weft/ir';
import type { WeftDevice } from '@weft/runtime';
import {
  type LinearBenchContender,
  type LinearBenchRatio,
  linearBenchContender,
} from './linear-attention-contenders.js';

/** B = 1, H = 4, d_k = d_v = 64: the shape. */
const HEADS = 4;
const HEAD_DIM = 64;
/** Longest length the O(N²) form runs at (its N × N weights take 4·H·N² bytes per tensor). */
const QUADRATIC_MAX = 2048;

function logLinearGraph(n: number, form: 'fused' | 'chunked' | 'quadratic', chunkSize: number): Graph {
  const shape = [1, HEADS, n, HEAD_DIM];
  const { output } = logLinearAttention(
    input('q', shape),
    input('k', shape),
    input('v', shape),
    input('lambda', [1, HEADS, n, fenwickLevelCount(n)]),
    { name: 'log-linear', form, chunkSize, logDecay: input('a', [1, HEADS, n]) },
  );
  return makeGraph({ output });
}

function logLinearInputs(n: number): Record<string, Float32Array> {
  let seed = 4242 + n;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const tensor = (length: number, min: number, max: number) =>
    Float32Array.from({ length }, () => min + (max - min) * random());
  const rows = HEADS * n;
  return {
    q: tensor(rows * HEAD_DIM, -0.5, 0.5),
    k: tensor(rows * HEAD_DIM, -0.5, 0.5),
    v: tensor(rows * HEAD_DIM, -0.5, 0.5),
    // λ ≥ 0 per level and a ≤ 0 (Mamba-2's log decay), as the paper's softplus projections give.
    lambda: tensor(rows * fenwickLevelCount(n), 0, 1),
    a: tensor(rows, -0.1, 0),
  };
}

/**
 * Log-linear Mamba-2 (catalog paper 109) at each length: the fused chunk sweep (one kernel)
 * against its unfused baseline, the same chunked algorithm as IR ops (`decomposeExtensionOps`),
 * at chunks of 16 and 64, and against the O(N²) quadratic form up to N = 2048. A fused form slower
 * than the unfused one would be a bug: the ratios say so.
 */
export async function logLinearBenchContenders(
  weft: WeftDevice,
  lengths: readonly number[],
): Promise<{ contenders: LinearBenchContender[]; ratios: LinearBenchRatio[] }> {
  const contenders: LinearBenchContender[] = [];
  const ratios: LinearBenchRatio[] = [];
  for (const n of lengths) {
    const inputs = logLinearInputs(n);
    for (const chunk of [16, 64]) {
      const fused = `log-linear fused C=${chunk} N=${n}`;
      const unfused = `log-linear IR chunked C=${chunk} N=${n}`;
      contenders.push(await linearBenchContender(weft, fused, logLinearGraph(n, 'fused', chunk), inputs));
      const baseline = decomposeExtensionOps(logLinearGraph(n, 'fused', chunk));
      contenders.push(await linearBenchContender(weft, unfused, baseline, inputs));
      ratios.push({
        label: `log-linear IR chunked / fused, C=${chunk}, N=${n}`,
        slower: unfused,
        faster: fused,
        target: '> 1×',
      });
    }
    if (n > QUADRATIC_MAX) continue;
    const quadratic = `log-linear quadratic N=${n}`;
    contenders.push(await linearBenchContender(weft, quadratic, logLinearGraph(n, 'quadratic', 16), inputs));
    ratios.push({
      label: `log-linear quadratic / fused C=16, N=${n}`,
      slower: quadratic,
      faster: `log-linear fused C=16 N=${n}`,
      target: '(info)',
    });
  }
  return { contenders, ratios };
}
