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
  planFusion,
  roundToDType,
  rsqrt,
  sub,
  type Tensor64,
} from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import {
  DEFAULT_DEVICE_PROFILE,
  type DeviceProfile,
  generateProgram,
  type KernelPrecision,
} from '@weft/wgsl';
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

/**
 * A stand-in check that runs on any adapter with `subgroups` (SwiftShader included): the
 * subgroup-matrix kernel with each matrix operation replaced by a subgroup operation of the same
 * operands (`subgroupAdd`, which must also be called in subgroup-uniform control flow; the
 * `subgroup_uniformity` diagnostic is raised to an error). Dawn then validates everything but the
 * extension's own types and builtins: the bindings, the staging, the `subgroup_id` /
 * `num_subgroups` ownership tests, their uniformity, the barriers and the epilogue.
 */
function withoutMatrices(wgsl: string): string {
  return `diagnostic(error, subgroup_uniformity);\n${wgsl}`
    .replace('enable chromium_experimental_subgroup_matrix;\n', '')
    .replace(/^alias (Left|Right|Result)Matrix = .*;\n/gm, '')
    .replace(/: ResultMatrix;/g, ': f32;')
    .replace(
      /subgroupMatrixLoad<(?:Left|Right)Matrix, row_major>\(&(\w+), (.+), (\d+u)\);/g,
      'subgroupAdd(f32($1[$2]) + f32($3));',
    )
    .replace(/subgroupMatrixMultiplyAccumulate\(left, right, (\w+)\);/g, 'subgroupAdd(left * right) + $1;')
    .replace(
      /subgroupMatrixStore<row_major>\(&(\w+), (\d+u), (\w+), (\d+u)\);/g,
      '$1[$2] = subgroupAdd($3) + f32($4);',
    );
}

describe('subgroup-matrix matmul, matrices replaced by subgroup operations (a stand-in)', async () => {
  const { device } = await getTestDevice();
  const hasSubgroups = device.features.has('subgroups');
  if (!hasSubgroups)
    console.warn('subgroup-matrix stand-in: skipped, the adapter has no `subgroups` feature');
  it.skipIf(!hasSubgroups)(
    'Dawn accepts the rest of the kernel (f32 8×8×8 and 16×16×16 configs, widths 32 and 64)',
    async () => {
      const failures: string[] = [];
      let checked = 0;
      for (const [M, N, K] of [
        [8, 8, 8],
        [16, 16, 16],
      ] as const) {
        for (const subgroupMaxSize of [32, 64]) {
          const profile: DeviceProfile = {
            ...DEFAULT_DEVICE_PROFILE,
            limits: { ...DEFAULT_DEVICE_PROFILE.limits, maxComputeWorkgroupStorageSize: 16384 },
            subgroups: true,
            subgroupMatrix: {
              configs: [{ componentType: 'f32', resultComponentType: 'f32', M, N, K }],
              subgroupMaxSize,
            },
          };
          for (const testCase of Object.values(cases(64, 128, 96))) {
            for (const kernel of generateProgram(planFusion(testCase.graph, {}), profile, {})) {
              if (!kernel.wgsl.includes('subgroupMatrixMultiplyAccumulate')) continue;
              checked++;
              const code = withoutMatrices(kernel.wgsl);
              expect(code).not.toMatch(/subgroupMatrix|subgroup_matrix/);
              const info = await device.createShaderModule({ code }).getCompilationInfo();
              for (const message of info.messages.filter((entry) => entry.type === 'error'))
                failures.push(
                  `${M}x${N}x${K} width ${subgroupMaxSize}: ${message.lineNum}:${message.linePos} ${message.message}`,
                );
            }
          }
        }
      }
      expect(checked).toBeGreaterThanOrEqual(12);
      expect(failures).toEqual([]);
    },
  );
});
