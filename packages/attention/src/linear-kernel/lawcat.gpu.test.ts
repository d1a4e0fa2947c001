import { input, makeGraph } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { denseLawcat, type LawcatSizes } from '../../test/dense-lawcat.js';
import { compileLinear, runLinear } from '../../test/run-linear.js';
import { applyLinearAttention, linearAttentionStateInputs } from '../linear/apply-linear-attention.js';
import { elu1 } from '../linear/feature-maps.js';
import { glaGate, LAWCAT_CONV_TAPS, lawcatCausalConv } from '../linear/lawcat.js';
import { linearAttention } from '../linear/linear-attention-spec.js';

// f32 kernels vs float64: 4-tap convolutions, gates σ^(1/16) in (0.8, 1), ratios of sums of at
// most 13 gated positive weights; measured near 2e-7. 1e-5 is the f32 budget of the error-budget guide.
const TOLERANCE = 1e-5;
const SEED = Math.floor(Math.random() * 2 ** 30);
const measured: string[] = [];
afterAll(() => console.log(`LAWCAT on the device vs float64 (seed ${SEED})\n${measured.join('\n')}`));

const SIZES: LawcatSizes = { batch: 2, heads: 2, length: 13, headDim: 8, valueDim: 8 };
const { batch: B, heads: H, length: N, headDim: D, valueDim: E } = SIZES;
const R = LAWCAT_CONV_TAPS - 1;

const spec = linearAttention({
  heads: H,
  headDim: D,
  valueDim: E,
  featureMap: elu1(),
  gated: true,
  causal: true,
  chunkSize: 4,
  name: 'lawcat',
});

describe(`LAWCAT (catalog #97) on a WebGPU device (seed ${SEED})`, () => {
  it('chunk sweep and decode steps (state, key sums and conv windows on the device) match the catalog', async () => {
    const { device } = await getTestDevice();
    const values = {
      q: randomTensor([B, H, N, D], { seed: SEED + 1 }).data,
      k: randomTensor([B, H, N, D], { seed: SEED + 2 }).data,
      v: randomTensor([B, H, N, E], { seed: SEED + 3 }).data,
      gateLogits: randomTensor([B, H, N, D], { seed: SEED + 4, min: -3, max: 3 }).data,
    };
    const weights = {
      q: randomTensor([H * D, 1, 4], { seed: SEED + 5 }).data,
      k: randomTensor([H * D, 1, 4], { seed: SEED + 6 }).data,
    };
    const params = { 'lawcat.qConv': weights.q, 'lawcat.kConv': weights.k };
    const build = (length: number, withState: boolean) => {
      const rows = (name: string, width = D) => input(name, [B, H, length, width]);
      const past = (name: string) => (withState ? input(name, [B, H, R, D]) : undefined);
      const q = lawcatCausalConv(rows('q'), 'lawcat.qConv', past('lawcat.qWindow'));
      const k = lawcatCausalConv(rows('k'), 'lawcat.kConv', past('lawcat.kWindow'));
      const applied = applyLinearAttention(spec, {
        query: q.rows,
        key: k.rows,
        value: rows('v', E),
        gate: glaGate(rows('gateLogits')),
        ...(withState ? { state: linearAttentionStateInputs(spec, B, 'lawcat') } : {}),
      });
      if (!withState) return makeGraph({ output: applied.output });
      return makeGraph({
        output: applied.output,
        'lawcat.state': applied.state!.values,
        'lawcat.keyState': applied.state!.keys!,
        'lawcat.qWindow': q.window,
        'lawcat.kWindow': k.window,
      });
    };
    const sweepProgram = await compileLinear(device, build(N, false), undefined, params);
    const sweep = (await runLinear(sweepProgram, values)).output!;
    const sweepKernels = sweepProgram.stats.kernels;
    sweepProgram.destroy();

    const names = ['lawcat.state', 'lawcat.keyState', 'lawcat.qWindow', 'lawcat.kWindow'];
    const program = await compileLinear(
      device,
      build(1, true),
      Object.fromEntries(names.map((name) => [name, name])),
      params,
    );
    const rowOf = (tensor: ArrayLike<number>, width: number, t: number) => {
      const out = new Float64Array(B * H * width);
      for (let bh = 0; bh < B * H; bh++)
        for (let c = 0; c < width; c++) out[bh * width + c] = tensor[(bh * N + t) * width + c]!;
      return out;
    };
    const stepped = new Float64Array(B * H * N * E);
    for (let t = 0; t < N; t++) {
      const step = {
        q: rowOf(values.q, D, t),
        k: rowOf(values.k, D, t),
        v: rowOf(values.v, E, t),
        gateLogits: rowOf(values.gateLogits, D, t),
      };
      const out = (await runLinear(program, step)).output!;
      for (let bh = 0; bh < B * H; bh++) stepped.set(out.subarray(bh * E, (bh + 1) * E), (bh * N + t) * E);
    }
    const stepKernels = program.stats.kernels;
    program.destroy();
    const expected = denseLawcat(SIZES, values, weights, 1e-6);
    const errors = { sweep: relativeError(sweep, expected), decode: relativeError(stepped, expected) };
    measured.push(
      `  sweep ${errors.sweep.toExponential(2)} (${sweepKernels} kernels), decode ${errors.decode.toExponential(2)} (${stepKernels} kernels per step)`,
    );
    expect(errors.sweep).toBeLessThan(TOLERANCE);
    expect(errors.decode).toBeLessThan(TOLERANCE);
  });
});
