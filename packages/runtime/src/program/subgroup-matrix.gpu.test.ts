import {
  add,
  type Graph,
  gelu,
  input,
  interpret,
  makeGraph,
  matmul,
  mean,
  mul,
  param,
  roundToDType,
  rsqrt,
  sub,
  type Tensor64,
} from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import type { KernelPrecision } from '@weft/wgsl';
import { afterAll, describe, expect, it } from 'vitest';
import { requestWeftDevice, type WeftDevice } from '../device/request-weft-device.js';
import { getTestDevice } from '../testing/index.js';
import { compile } from './compile.js';

// The subgroup-matrix matmul against float64, outputs poisoned with NaN. It runs only where the
// adapter has Dawn's `chromium-experimental-subgroup-matrix`, which Dawn offers only with its
// `allow_unsafe_apis` toggle: in Node the device comes from a Dawn instance created with it.
// Budgets: f16 operands with f32 accumulation 2e-3 (the f16 tier's budget, on f16-rounded inputs
// and parameters); f32 operands 1e-4 (sums of up to 128 products of magnitude ≤ 1, accumulated in
// the matrix unit's order, which no budget of the tiled kernel assumes).
const BUDGET: Record<'f32' | 'f16', number> = { f32: 1e-4, f16: 2e-3 };

async function unsafeApisDevice(): Promise<WeftDevice> {
  const weft = await getTestDevice(); // installs Dawn's globals and Vulkan driver list in Node
  if (weft.adapter.source !== 'node-dawn') return weft;
  const { create } = await import('webgpu');
  return requestWeftDevice({ gpu: create(['enable-dawn-features=allow_unsafe_apis']) });
}

const weft = await unsafeApisDevice();
const support = weft.adapter.subgroupMatrix;
const precisions = (['f32', 'f16'] as const).filter(
  (precision) =>
    support?.configs.some(
      (config) => config.componentType === precision && config.resultComponentType === 'f32',
    ) === true,
);
if (support === undefined) {
  console.warn(
    'subgroup-matrix matmul: skipped, the adapter has no `chromium-experimental-subgroup-matrix` ' +
      `feature (${weft.adapter.vendor} ${weft.adapter.architecture})`,
  );
} else {
  console.info(`subgroup-matrix configs: ${JSON.stringify(support)}`);
  if (precisions.length === 0)
    console.warn('subgroup-matrix matmul: skipped, no f32 or f16 config with an f32 result');
}
const errors: Record<string, string> = {};
afterAll(() => {
  if (Object.keys(errors).length > 0)
    console.info(`subgroup-matrix errors: ${JSON.stringify(errors, null, 1)}`);
});

const toF16 = (tensor: Tensor64): Tensor64 => ({
  ...tensor,
  data: tensor.data.map((value) => roundToDType(value, 'f16')),
});

interface Case {
  readonly graph: Graph;
  /** Shapes of the input `x` and the parameter `w`. */
  readonly x: number[];
  readonly w: number[];
}

/** Matmul + GELU, a LayerNorm prologue, and a batched matmul; `rows`×`depth`×`columns` sizes. */
function cases(rows: number, depth: number, columns: number): Record<string, Case> {
  const x = input('x', [rows, depth]);
  const w = param('w', [depth, columns]);
  const centered = sub(x, mean(x, -1, { keepDims: true }));
  const normed = mul(centered, rsqrt(add(mean(mul(centered, centered), -1, { keepDims: true }), 1e-5)));
  const single = { x: [rows, depth], w: [depth, columns] };
  return {
    'matmul + GELU': { graph: makeGraph({ y: gelu(matmul(x, w)) }), ...single },
    'LayerNorm → matmul': { graph: makeGraph({ y: matmul(normed, w) }), ...single },
    'batched matmul': {
      graph: makeGraph({ y: matmul(input('x', [2, rows, depth]), w) }),
      x: [2, rows, depth],
      w: [depth, columns],
    },
  };
}

async function check(label: string, testCase: Case, precision: KernelPrecision, expectMatrices: boolean) {
  const round = precision === 'f16' ? toF16 : (tensor: Tensor64) => tensor;
  const graph = testCase.graph;
  const inputs = { x: round(randomTensor(testCase.x, { seed: 5, min: -1, max: 1 })) };
  const params = { w: round(randomTensor(testCase.w, { seed: 6, min: -1, max: 1 })) };
  const program = await compile(graph, {
    device: weft,
    precision,
    params: Object.fromEntries(Object.entries(params).map(([name, tensor]) => [name, tensor.data])),
  });
  try {
    const uses = program.kernels.some((kernel) => kernel.wgsl.includes('subgroupMatrixMultiplyAccumulate'));
    expect(uses, `${label}: subgroup-matrix kernel chosen`).toBe(expectMatrices);
    const actual = await program.run(
      Object.fromEntries(Object.entries(inputs).map(([name, tensor]) => [name, tensor.data])),
      { poisonOutputs: true },
    );
    const expected = interpret(graph, { inputs, params });
    const error = relativeError(actual.y!.data, expected.y!);
    errors[`${precision} ${label}`] = error.toExponential(2);
    expect(Array.from(actual.y!.data).every(Number.isFinite), `${label}: finite`).toBe(true);
    expect(error, label).toBeLessThan(BUDGET[precision === 'f16' ? 'f16' : 'f32']);
  } finally {
    program.destroy();
  }
}

describe.skipIf(precisions.length === 0)('subgroup-matrix matmul vs float64', () => {
  for (const precision of precisions) {
    it(`${precision}: divisible sizes use subgroup matrices, others fall back`, {
      timeout: 300_000,
    }, async () => {
      // 64 × 128 × 96 divides by every configuration up to 32 (and by 64 for M and K).
      for (const [label, testCase] of Object.entries(cases(64, 128, 96)))
        await check(`${label} 64×128×96`, testCase, precision, true);
      // 100 × 72 × 50: not a multiple of 8 or 16, the tiled kernel runs.
      await check('matmul + GELU 100×72×50', cases(100, 72, 50)['matmul + GELU']!, precision, false);
    });
  }
});
