import { decomposeExtensionOps, input, makeGraph } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { denseExpFeatures } from '../../test/dense-exp-features.js';
import { denseGatedLinear, denseReglaGate } from '../../test/dense-gated-linear.js';
import { PHI } from '../../test/dense-linear-attention.js';
import { normalizeMergedHeads } from '../../test/dense-transnormer.js';
import { compileLinear, runLinear } from '../../test/run-linear.js';
import { applyLinearAttention, linearAttentionStateInputs } from '../linear/apply-linear-attention.js';
import { reglaScale } from '../linear/exp-features.js';
import { elu1, identity } from '../linear/feature-maps.js';
import { linearAttention } from '../linear/linear-attention-spec.js';
import { LINEAR_ATTENTION_CATALOG } from '../linear/linear-catalog.js';

// f32 kernels vs float64: sums of at most 19 products per output and 19-step state recurrences,
// with one device exp per gate product (a few ulps on software adapters); 1e-5 is the f32
// budget of the error-budget guide.
const TOLERANCE = 1e-5;
const SEED = Math.floor(Math.random() * 2 ** 30);
const measured: string[] = [];
afterAll(() =>
  console.log(`gated linear attention on the device vs float64 (seed ${SEED})\n${measured.join('\n')}`),
);

const B = 1;
const H = 2;
const N = 19;
const DK = 8;

function data(dv: number, seed: number, n = N) {
  return {
    q: randomTensor([B, H, n, DK], { seed: seed + 1 }).data,
    k: randomTensor([B, H, n, DK], { seed: seed + 2 }).data,
    v: randomTensor([B, H, n, dv], { seed: seed + 3 }).data,
    // Gates from near-forgetting to keeping: products over a chunk span many decades.
    g: randomTensor([B, H, n, DK], { seed: seed + 4, min: 0.02, max: 1 }).data,
  };
}

const sizesOf = (dv: number, n = N) => ({ batch: B, heads: H, length: n, headDim: DK, valueDim: dv });
const elu = (x: ArrayLike<number>) => Float64Array.from(x, PHI.elu1);

describe(`gated linear attention kernels on a WebGPU device (seed ${SEED})`, () => {
  it('chunked sweep, state kernels and the quadratic form = the gated recurrence (ELU+1, ε 1e-6, chunks of 4)', async () => {
    const { device } = await getTestDevice();
    const spec = linearAttention({
      heads: H,
      headDim: DK,
      valueDim: 12,
      featureMap: elu1(),
      gated: true,
      causal: true,
      chunkSize: 4,
    });
    const applied = applyLinearAttention(spec, {
      query: input('q', [B, H, N, DK]),
      key: input('k', [B, H, N, DK]),
      value: input('v', [B, H, N, 12]),
      gate: input('g', [B, H, N, DK]),
      returnState: true,
    });
    const graph = makeGraph({
      output: applied.output,
      state: applied.state!.values,
      keyState: applied.state!.keys!,
    });
    const feeds = data(12, SEED);
    const expected = denseGatedLinear(sizesOf(12), elu(feeds.q), elu(feeds.k), feeds.v, feeds.g, {
      epsilon: 1e-6,
    });
    for (const [form, built] of [
      ['fused', graph],
      ['quadratic', decomposeExtensionOps(graph)],
    ] as const) {
      const program = await compileLinear(device, built);
      const result = await runLinear(program, feeds);
      const kernels = program.stats.kernels;
      program.destroy();
      const errors = (['output', 'state', 'keyState'] as const).map((name) =>
        relativeError(result[name]!, expected[name]),
      );
      measured.push(
        `  ${form}: output/state/keyState ${errors.map((e) => e.toExponential(2)).join(' / ')}, ${kernels} kernels`,
      );
      for (const error of errors) expect(error).toBeLessThan(TOLERANCE);
    }
  });

  it('decode steps on a device-held state = the chunked pass = the recurrence (identity, no denominator, d_v 40)', async () => {
    const { device } = await getTestDevice();
    const dv = 40;
    const spec = linearAttention({
      heads: H,
      headDim: DK,
      valueDim: dv,
      featureMap: identity(),
      denominator: false,
      gated: true,
      causal: true,
      chunkSize: 8,
    });
    const feeds = data(dv, SEED + 11);
    const chunked = applyLinearAttention(spec, {
      query: input('q', [B, H, N, DK]),
      key: input('k', [B, H, N, DK]),
      value: input('v', [B, H, N, dv]),
      gate: input('g', [B, H, N, DK]),
    });
    const wholeProgram = await compileLinear(device, makeGraph({ output: chunked.output }));
    const whole = (await runLinear(wholeProgram, feeds)).output!;
    wholeProgram.destroy();

    const step = applyLinearAttention(spec, {
      query: input('q', [B, H, 1, DK]),
      key: input('k', [B, H, 1, DK]),
      value: input('v', [B, H, 1, dv]),
      gate: input('g', [B, H, 1, DK]),
      state: linearAttentionStateInputs(spec, B, 'layer'),
    });
    const program = await compileLinear(
      device,
      makeGraph({ output: step.output, 'layer.state': step.state!.values }),
      {
        'layer.state': 'layer.state',
      },
    );
    const rowOf = (tensor: ArrayLike<number>, width: number, t: number) => {
      const row = new Float64Array(B * H * width);
      for (let bh = 0; bh < B * H; bh++)
        for (let c = 0; c < width; c++) row[bh * width + c] = tensor[(bh * N + t) * width + c]!;
      return row;
    };
    const stepped = new Float64Array(whole.length);
    let last: Record<string, Float64Array> = {};
    for (let t = 0; t < N; t++) {
      last = await runLinear(program, {
        q: rowOf(feeds.q, DK, t),
        k: rowOf(feeds.k, DK, t),
        v: rowOf(feeds.v, dv, t),
        g: rowOf(feeds.g, DK, t),
      });
      for (let bh = 0; bh < B * H; bh++)
        stepped.set(last.output!.subarray(bh * dv, (bh + 1) * dv), (bh * N + t) * dv);
    }
    const kernels = program.stats.kernels;
    program.destroy();
    const expected = denseGatedLinear(sizesOf(dv), feeds.q, feeds.k, feeds.v, feeds.g, { epsilon: null });
    const errors = [
      relativeError(whole, expected.output),
      relativeError(stepped, expected.output),
      relativeError(stepped, whole),
    ];
    measured.push(
      `  d_v 40: chunked vs f64 ${errors[0]!.toExponential(2)}, steps vs f64 ${errors[1]!.toExponential(2)}, steps vs chunked ${errors[2]!.toExponential(2)}, ${kernels} kernels per step`,
    );
    for (const error of errors) expect(error).toBeLessThan(TOLERANCE);
    expect(relativeError(last['layer.state']!, expected.state)).toBeLessThan(TOLERANCE);
    expect(kernels).toBe(2);
  });

  it('ReGLA (zoo graph: features, refined gate, LayerNorm) = the paper’s formula', async () => {
    const { device } = await getTestDevice();
    const { graph, inputs } = LINEAR_ATTENTION_CATALOG.find((entry) => entry.mechanism === 'regla')!.build();
    const program = await compileLinear(device, graph);
    const output = (await runLinear(program, inputs)).output!;
    const kernels = program.stats.kernels;
    program.destroy();
    const sizes = { batch: 1, heads: 4, length: 24, headDim: 16, valueDim: 16 };
    const phiQ = denseExpFeatures(sizes, inputs.q!, { shift: 'row', softmax: false, scale: reglaScale(16) });
    const phiK = denseExpFeatures(sizes, inputs.k!, { shift: 'sequence', softmax: false });
    const gate = denseReglaGate(inputs.gateLogits!, inputs.refineLogits!);
    const raw = denseGatedLinear(sizes, phiQ, phiK, inputs.v!, gate, { epsilon: null }).output;
    const error = relativeError(output, normalizeMergedHeads(sizes, raw, { kind: 'layer', epsilon: 1e-5 }));
    measured.push(`  ReGLA zoo graph: ${error.toExponential(2)}, ${kernels} kernels`);
    expect(error).toBeLessThan(TOLERANCE);
  });
});
