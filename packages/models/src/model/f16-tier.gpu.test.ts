import { attention } from '@weft/attention/kernels';
import {
  type Graph,
  input,
  interpret,
  makeGraph,
  matmul,
  param,
  roundToDType,
  type Tensor64,
  tensor64,
  UnsupportedError,
} from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { layerNorm, rmsNorm } from '@weft/norms';
import { type CompileOptions, compile } from '@weft/runtime';
import { getTestDevice } from '@weft/runtime/test';

import { afterAll, describe, expect, it } from 'vitest';
import { parseModelSpec } from '../spec/model-spec-json.js';
import { randomGraphParams } from '../testing/random-graph-params.js';
import { TINY_GPT, TINY_LLAMA } from '../testing/tiny-specs.js';
import { buildDecoderLmGraph } from './decoder-lm-graph.js';

type KernelPrecision = NonNullable<CompileOptions['precision']>;

// The f16 tier (`precision: 'f16-emulated'`: the f16 kernels with f32 storage and quantizeToF16 at
// each f16 rounding) on LayerNorm, RMSNorm, a matmul and tiny decoders, against float64 on the same
// f16-rounded inputs and parameters. Outputs poisoned before each run.
/** The f16 tier's budget: max-norm relative error vs float64. */
const F16_BUDGET = 2e-3;

const errors: Record<string, string> = {};
afterAll(() => console.info(`f16 tier errors vs float64:\n${JSON.stringify(errors, null, 1)}`));

const toF16 = (tensor: Tensor64): Tensor64 => ({
  ...tensor,
  data: tensor.data.map((value) => roundToDType(value, 'f16')),
});
const f32Of = (tensors: Readonly<Record<string, Tensor64>>) =>
  Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, Float32Array.from(t.data)]));

async function run(
  graph: Graph,
  inputs: Record<string, Tensor64>,
  params: Record<string, Tensor64>,
  dims: Record<string, number>,
  precision: KernelPrecision,
): Promise<{ outputs: Record<string, Float32Array>; wgsl: string[] }> {
  const program = await compile(graph, {
    device: await getTestDevice(),
    extensions: [attention],
    params: f32Of(params),
    precision,
  });
  try {
    const results = await program.run(f32Of(inputs), { dims, poisonOutputs: true });
    return {
      outputs: Object.fromEntries(
        Object.entries(results).map(([name, r]) => [name, Float32Array.from(r.data)]),
      ),
      wgsl: program.kernels.map((kernel) => kernel.wgsl),
    };
  } finally {
    program.destroy();
  }
}

/** Runs `graph` emulated and in f32; checks the f16 budget and that the rounding shows. */
async function check(
  label: string,
  graph: Graph,
  inputs: Record<string, Tensor64>,
  seed: number,
  precision: KernelPrecision = 'f16-emulated',
) {
  const params = Object.fromEntries(
    Object.entries(randomGraphParams(graph, seed, 1)).map(([n, t]) => [n, toF16(t)]),
  );
  const rounded = Object.fromEntries(
    Object.entries(inputs).map(([n, t]) => [n, t.dtype === 'f32' ? toF16(t) : t]),
  );
  const exact = interpret(graph, { inputs: rounded, params, dims: {} });
  const emulated = await run(graph, rounded, params, {}, precision);
  const f32 = await run(graph, rounded, params, {}, 'f32');
  for (const text of emulated.wgsl)
    expect(text).toContain(precision === 'f16' ? 'enable f16;' : 'quantizeToF16');
  for (const name of Object.keys(exact)) {
    const actual = emulated.outputs[name]!;
    expect(Array.from(actual).every(Number.isFinite), `${label} ${name}: finite`).toBe(true);
    const error = relativeError(actual, exact[name]!);
    const single = relativeError(f32.outputs[name]!, exact[name]!);
    errors[`${label} ${name}`] =
      `${precision} ${error.toExponential(2)} (f32 kernels ${single.toExponential(2)}, ${emulated.wgsl.length} kernels)`;
    expect(error, `${label} ${name}`).toBeLessThan(F16_BUDGET);
    expect(error, `${label} ${name}: the f16 rounding shows`).toBeGreaterThan(single);
  }
}

describe('f16 tier, emulated: rows, matmul, decoders vs float64', () => {
  it('LayerNorm and RMSNorm [64, 256] (statistics in f32)', { timeout: 300_000 }, async () => {
    const x = input('x', [64, 256]);
    const graph = makeGraph({ layer: layerNorm(x, { name: 'ln' }), rms: rmsNorm(x, { name: 'rms' }) });
    // A large common offset: the mean and variance of f16 values near 40 (spacing 2^-5).
    const data = randomTensor([64, 256], { seed: 3, min: -2, max: 2 });
    await check('norms', graph, { x: { ...data, data: data.data.map((value) => value + 40) } }, 7);
  });

  it('matmul [64, 128] × [128, 96] (f32 accumulation)', { timeout: 300_000 }, async () => {
    const x = input('x', [64, 128]);
    const graph = makeGraph({ y: matmul(x, param('w', [128, 96])) });
    await check('matmul', graph, { x: randomTensor([64, 128], { seed: 5, min: -4, max: 4 }) }, 9);
  });

  for (const [label, spec] of [
    ['tiny Llama', TINY_LLAMA],
    ['tiny GPT', TINY_GPT],
  ] as const) {
    it(`${label} forward, 16 tokens: logits`, { timeout: 300_000 }, async () => {
      const { graph } = buildDecoderLmGraph(parseModelSpec(spec).config, { mode: 'forward' });
      const tokens = [5, 17, 2, 40, 11, 9, 33, 1, 46, 20, 3, 28, 14, 7, 39, 22];
      const params = Object.fromEntries(
        Object.entries(randomGraphParams(graph, 5)).map(([name, t]) => [name, toF16(t)]),
      );
      const inputs = { tokens: tensor64([1, tokens.length], tokens, 'i32') };
      const dims = { seq: tokens.length };
      const exact = interpret(graph, { inputs, params, dims }).logits!.data;
      const emulated = await run(graph, inputs, params, dims, 'f16-emulated');
      const f32 = await run(graph, inputs, params, dims, 'f32');
      const error = relativeError(emulated.outputs.logits!, exact);
      const single = relativeError(f32.outputs.logits!, exact);
      errors[`${label} logits`] =
        `f16-emulated ${error.toExponential(2)} (f32 kernels ${single.toExponential(2)}, ${emulated.wgsl.length} kernels)`;
      expect(emulated.outputs.logits!.every(Number.isFinite)).toBe(true);
      expect(error).toBeLessThan(F16_BUDGET);
      expect(error).toBeGreaterThan(single);
    });
  }
});

describe('f16 tier on shader-f16', async () => {
  const device = await getTestDevice();
  const hasF16 = device.device.features.has('shader-f16');
  if (!hasF16) console.warn('f16 tier (real f16 kernels): skipped, the adapter has no `shader-f16` feature');
  const graph = makeGraph({ y: matmul(input('x', [64, 128]), param('w', [128, 96])) });

  it.skipIf(hasF16)("precision 'f16' on a device without shader-f16 is an UnsupportedError", async () => {
    await expect(compile(graph, { device, precision: 'f16' })).rejects.toThrow(UnsupportedError);
    await expect(compile(graph, { device, precision: 'f16' })).rejects.toThrow(/shader-f16/);
  });

  it.skipIf(!hasF16)('matmul in f16: within budget', { timeout: 300_000 }, async () => {
    await check(
      'matmul (shader-f16)',
      graph,
      { x: randomTensor([64, 128], { seed: 5, min: -4, max: 4 }) },
      9,
      'f16',
    );
  });
});
