import { input, interpret, makeGraph } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { denseLogLinear } from '../../test/dense-log-linear.js';
import { compileLinear, runLinear } from '../../test/run-linear.js';
import { fenwickLevelCount } from '../linear/fenwick-levels.js';
import { logLinearAttention } from '../linear/log-linear-attention.js';

// f32 kernel vs float64: each output sums at most 300 terms (q·k over d 8, or 64 in one case)
// λ e^(sums of a ≤ 0), every factor O(1) and ≤ 1 for the decays; the level states add one product
// per level. 2e-5 is twice the error-budget guide's 1e-5 for sums of ~20 terms, for sums of
// hundreds (measured: under 4e-7).
const TOLERANCE = 2e-5;
const SEED = Math.floor(Math.random() * 2 ** 30);
const measured: string[] = [];
afterAll(() =>
  console.log(`fused log-linear attention on the device vs float64 (seed ${SEED})\n${measured.join('\n')}`),
);

// N = 1, 5, 37, 100, 300 (none a multiple of its chunk but 1), chunks 1 … 16; d_v 12 splits the value
// columns into a full slice of 8 and a partial one on a GPU (a software adapter keeps all 12 in one
// slice). One case without the decay (A = 1). Chunk 64: the kernel sweeps in chunks of 16 while its
// float64 definition (the IR form) keeps 64.
const CASES: readonly { n: number; chunk: number; decayed: boolean; d?: number; e?: number }[] = [
  { n: 1, chunk: 4, decayed: true },
  { n: 5, chunk: 2, decayed: true },
  { n: 37, chunk: 8, decayed: true },
  { n: 37, chunk: 1, decayed: false },
  { n: 100, chunk: 16, decayed: true },
  { n: 100, chunk: 4, decayed: false },
  { n: 100, chunk: 64, decayed: true },
  // 19 chunks of 16: five level states, carries of up to four levels, a partial last chunk.
  { n: 300, chunk: 16, decayed: true },
  // d_k 64, d_v 60: five level states of 64 × 60 do not fit workgroup memory, so the value columns
  // split on every adapter (on SwiftShader's 32 KiB: 4 slices of 16, the last one partial).
  { n: 300, chunk: 16, decayed: true, d: 64, e: 60 },
];
const B = 1;
const H = 2;

describe(`fused log-linear attention (catalog #109) on a WebGPU device (seed ${SEED})`, () => {
  it.each(
    CASES.map(
      (test) =>
        [
          `N=${test.n} chunk ${test.chunk}${test.decayed ? '' : ' no decay'}${test.d === undefined ? '' : ` d_k ${test.d} d_v ${test.e}`}`,
          test,
        ] as const,
    ),
  )(
    '%s: one kernel = the chunked IR form in float64 = the paper’s (QKᵀ ⊙ H) V',
    async (label, { n, chunk, decayed, d: D = 8, e: E = 12 }) => {
      const { device } = await getTestDevice();
      const L = fenwickLevelCount(n) + 1;
      const tensor = (shape: number[], offset: number, min = -1, max = 1) =>
        randomTensor(shape, { seed: SEED + offset + n, min, max }).data;
      const values = {
        q: tensor([B, H, n, D], 1),
        k: tensor([B, H, n, D], 2),
        v: tensor([B, H, n, E], 3),
        lambda: tensor([B, H, n, L], 4, 0, 2),
        ...(decayed ? { a: tensor([B, H, n], 5, -0.6, 0) } : {}),
      };
      const build = (form: 'fused' | 'chunked') =>
        makeGraph({
          output: logLinearAttention(
            input('q', [B, H, n, D]),
            input('k', [B, H, n, D]),
            input('v', [B, H, n, E]),
            input('lambda', [B, H, n, L]),
            {
              name: 'loglinear',
              form,
              chunkSize: chunk,
              ...(decayed ? { logDecay: input('a', [B, H, n]) } : {}),
            },
          ).output,
        });
      const fused = build('fused');
      // The op's float64 definition (its decomposition, the chunked IR form) and the paper's formula.
      const reference = interpret(fused, { inputs: values }).output!.data;
      const chunkedIr = interpret(build('chunked'), { inputs: values }).output!.data;
      const dense = denseLogLinear({ B, H, N: n, D, E, L }, values);
      expect(relativeError(reference, dense)).toBeLessThan(1e-12);
      expect(relativeError(chunkedIr, reference)).toBe(0);

      const program = await compileLinear(device, fused);
      const output = (await runLinear(program, values)).output!;
      const kernels = program.stats.kernels;
      program.destroy();
      const error = relativeError(output, reference);
      measured.push(`  ${label}: ${error.toExponential(2)} vs f64, ${kernels} kernel(s)`);
      expect(kernels).toBe(1);
      expect(error).toBeLessThan(TOLERANCE);
      expect(relativeError(output, dense)).toBeLessThan(TOLERANCE);
    },
    120_000,
  );
});
