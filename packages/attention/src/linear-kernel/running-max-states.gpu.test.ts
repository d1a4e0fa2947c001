import { decomposeExtensionOps, type Graph, input, interpret, makeGraph } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { denseAarenSoftmax, denseLatte } from '../../test/dense-running-max.js';
import { compileLinear, runLinear } from '../../test/run-linear.js';
import { aarenStateInputs, applyAaren } from '../linear/aaren-recurrent.js';
import { applyLatte, latteStateInputs } from '../linear/latte-attention.js';
import { LINEAR_ATTENTION_CATALOG } from '../linear/linear-catalog.js';

// f32 kernels vs float64: softmax-weighted sums of at most 13 values per output, with device exps
// and logs on the scores (a few ulps on software adapters) and 13-step state recurrences; 1e-5 is
// the f32 budget of the error-budget guide.
const TOLERANCE = 1e-5;
const SEED = Math.floor(Math.random() * 2 ** 30);
const measured: string[] = [];
afterAll(() =>
  console.log(
    `running-max states (Aaren, Latte) on the device vs float64 (seed ${SEED})\n${measured.join('\n')}`,
  ),
);

const B = 1;
const H = 2;
const N = 13;
const D = 8;
const E = 8;
const SIZES = { batch: B, heads: H, length: N, headDim: D, valueDim: E };
const rows = (width: number) => [B, H, N, width];
const row = (width: number) => [B, H, 1, width];
const EMPTY = -1e30;

function rowAt(tensor: ArrayLike<number>, width: number, t: number): Float64Array {
  const out = new Float64Array(B * H * width);
  for (let bh = 0; bh < B * H; bh++)
    for (let c = 0; c < width; c++) out[bh * width + c] = tensor[(bh * N + t) * width + c]!;
  return out;
}

/**
 * Runs a one-position program whose state stays on the device (the first run writes `initial`)
 * at every position, gathering its `output` rows into `[B, H, N, E]`.
 */
async function decodeAll(
  device: GPUDevice,
  step: Graph,
  stateNames: readonly string[],
  initial: Record<string, Float64Array>,
  operands: Record<string, { data: ArrayLike<number>; width: number }>,
  params?: Record<string, ArrayLike<number>>,
): Promise<{ output: Float64Array; kernels: number }> {
  const program = await compileLinear(
    device,
    step,
    Object.fromEntries(stateNames.map((n) => [n, n])),
    params,
  );
  const out = new Float64Array(B * H * N * E);
  for (let t = 0; t < N; t++) {
    const inputs: Record<string, ArrayLike<number>> = t === 0 ? { ...initial } : {};
    for (const [name, { data, width }] of Object.entries(operands)) inputs[name] = rowAt(data, width, t);
    const output = (await runLinear(program, inputs, ['output'])).output!;
    for (let bh = 0; bh < B * H; bh++) out.set(output.subarray(bh * E, (bh + 1) * E), (bh * N + t) * E);
  }
  const kernels = program.stats.kernels;
  program.destroy();
  return { output: out, kernels };
}

async function runGraph(
  device: GPUDevice,
  graph: Graph,
  inputs: Record<string, ArrayLike<number>>,
  params?: Record<string, ArrayLike<number>>,
): Promise<{ output: Float64Array; kernels: number }> {
  const program = await compileLinear(device, graph, undefined, params);
  const output = (await runLinear(program, inputs)).output!;
  const kernels = program.stats.kernels;
  program.destroy();
  return { output, kernels };
}

describe('running-max linear-attention states on a WebGPU device', () => {
  it('Aaren: chunked prefill, quadratic form and decode steps (m, u, w) = softmax(q Kᵀ + causal mask) V', async () => {
    const { device } = await getTestDevice();
    const query = randomTensor([H, D], { seed: SEED + 1 }).data;
    const k = randomTensor(rows(D), { seed: SEED + 2, min: -2, max: 2 }).data;
    const v = randomTensor(rows(E), { seed: SEED + 3 }).data;
    const params = { 'aaren.query': query };
    const expected = denseAarenSoftmax(SIZES, query, k, v);
    const prefill = makeGraph({
      output: applyAaren(input('k', rows(D)), input('v', rows(E)), { name: 'aaren', chunkSize: 4 }).output,
    });
    const step = applyAaren(input('k', row(D)), input('v', row(E)), {
      name: 'aaren',
      state: aarenStateInputs(B, H, E, 'aaren'),
    });
    const stepGraph = makeGraph({
      output: step.output,
      'aaren.max': step.state!.max,
      'aaren.keyState': step.state!.keys,
      'aaren.state': step.state!.values,
    });
    const forms = {
      chunked: await runGraph(device, prefill, { k, v }, params),
      quadratic: await runGraph(device, decomposeExtensionOps(prefill), { k, v }, params),
      recurrent: await decodeAll(
        device,
        stepGraph,
        ['aaren.max', 'aaren.keyState', 'aaren.state'],
        {
          'aaren.max': new Float64Array(B * H).fill(EMPTY),
          'aaren.keyState': new Float64Array(B * H),
          'aaren.state': new Float64Array(B * H * E),
        },
        { k: { data: k, width: D }, v: { data: v, width: E } },
        params,
      ),
    };
    for (const [form, { output, kernels }] of Object.entries(forms)) {
      const error = relativeError(output, expected);
      measured.push(`  Aaren ${form}: ${error.toExponential(2)} vs f64, ${kernels} kernels`);
      expect(error).toBeLessThan(TOLERANCE);
    }
    expect(relativeError(forms.recurrent.output, forms.chunked.output)).toBeLessThan(TOLERANCE);
  });

  it('Latte: chunked, bidirectional, quadratic and decode steps (m, λ, S) = the paper’s dense formula', async () => {
    const { device } = await getTestDevice();
    const q = randomTensor(rows(D), { seed: SEED + 4, min: -2, max: 2 }).data;
    const k = randomTensor(rows(D), { seed: SEED + 5, min: -4, max: 4 }).data;
    const v = randomTensor(rows(E), { seed: SEED + 6 }).data;
    const scale = 1 / Math.sqrt(D);
    const latte = (causal: boolean) =>
      makeGraph({
        output: applyLatte(input('q', rows(D)), input('k', rows(D)), input('v', rows(E)), {
          name: 'latte',
          causal,
          chunkSize: 4,
        }).output,
      });
    const step = applyLatte(input('q', row(D)), input('k', row(D)), input('v', row(E)), {
      name: 'latte',
      state: latteStateInputs(B, H, D, E, 'latte'),
    });
    const stepGraph = makeGraph({
      output: step.output,
      'latte.max': step.state!.max,
      'latte.logSum': step.state!.logSum,
      'latte.state': step.state!.values,
    });
    const causalExpected = denseLatte(SIZES, q, k, v, { causal: true, scale });
    const forms: [string, { output: Float64Array; kernels: number }, Float64Array][] = [
      ['chunked', await runGraph(device, latte(true), { q, k, v }), causalExpected],
      ['quadratic', await runGraph(device, decomposeExtensionOps(latte(true)), { q, k, v }), causalExpected],
      [
        'bidirectional',
        await runGraph(device, latte(false), { q, k, v }),
        denseLatte(SIZES, q, k, v, { causal: false, scale }),
      ],
      [
        'recurrent',
        await decodeAll(
          device,
          stepGraph,
          ['latte.max', 'latte.logSum', 'latte.state'],
          {
            'latte.max': new Float64Array(B * H * D).fill(EMPTY),
            'latte.logSum': new Float64Array(B * H * D).fill(EMPTY),
            'latte.state': new Float64Array(B * H * D * E),
          },
          { q: { data: q, width: D }, k: { data: k, width: D }, v: { data: v, width: E } },
        ),
        causalExpected,
      ],
    ];
    for (const [form, { output, kernels }, expected] of forms) {
      const error = relativeError(output, expected);
      measured.push(`  Latte ${form}: ${error.toExponential(2)} vs f64, ${kernels} kernels`);
      expect(error).toBeLessThan(TOLERANCE);
    }
  });

  it.each(['aaren-decode', 'latte', 'latte-decode'])(
    '%s zoo graph = its float64 interpretation',
    async (mechanism) => {
      const { device } = await getTestDevice();
      const { graph, inputs, params } = LINEAR_ATTENTION_CATALOG.find(
        (entry) => entry.mechanism === mechanism,
      )!.build();
      const reference = interpret(graph, { inputs, params });
      const program = await compileLinear(device, graph, undefined, params);
      const result = await runLinear(program, inputs);
      program.destroy();
      for (const [name, tensor] of Object.entries(reference)) {
        const error = relativeError(result[name]!, tensor.data);
        measured.push(`  ${mechanism} ${name}: ${error.toExponential(2)} vs f64 interpreter`);
        expect(error).toBeLessThan(TOLERANCE);
      }
    },
  );
});
