import {
  add,
  div,
  exp,
  input,
  interpret,
  type Kernel,
  makeGraph,
  max,
  mean,
  mul,
  type Node,
  param,
  rsqrt,
  sub,
  sum,
} from '@weft/ir';
import { expectClose, randomTensor } from '@weft/ir/test';
import { afterAll, describe, expect, test } from 'vitest';
import { requestTestDevice, runKernel } from '../test/gpu-harness.js';
import { makeKernel } from '../test/kernel-fixtures.js';
import { generateKernel } from './generate-kernel.js';
import type { DeviceProfile, GeneratedKernel } from './generated-kernel.js';
import { generateReduction } from './templates/reduction-kernel.js';

// The row statistics (LayerNorm/RMSNorm mean and variance, softmax max and sum) of cooperative row
// kernels, combined by subgroup operations and by the workgroup-memory tree, against the float64
// interpreter. Outputs are poisoned with NaN before each run (runKernel).
const device = await requestTestDevice();
afterAll(() => device.destroy());
const hasSubgroups = device.features.has('subgroups');
const info = (device as { adapterInfo?: { subgroupMinSize?: number; subgroupMaxSize?: number } }).adapterInfo;
if (hasSubgroups) {
  console.info(`subgroup sizes of this adapter: ${info?.subgroupMinSize}..${info?.subgroupMaxSize}`);
} else {
  console.warn('subgroup row statistics: skipped, the adapter has no `subgroups` feature');
}

const limits = device.limits;
const profile: DeviceProfile = {
  limits: {
    maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
    maxComputeWorkgroupSizeY: limits.maxComputeWorkgroupSizeY,
    maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
    maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
    maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
    maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
    minStorageBufferOffsetAlignment: limits.minStorageBufferOffsetAlignment,
  },
  shaderF16: false,
  subgroups: hasSubgroups,
  // A hardware-GPU profile: on a software adapter rows would run one per invocation, with no
  // workgroup reduction to test.
  software: false,
};

/** f32 budget: sums of at most 1000 terms of magnitude ≤ 3, then a normalization. */
const RTOL = 2e-5;
const ATOL = 1e-5;

function layerNorm(rows: number, columns: number): Kernel {
  const h = input('h', [rows, columns]);
  const gamma = param('gamma', [columns]);
  const beta = param('beta', [columns]);
  const centered = sub(h, mean(h, -1, { keepDims: true }));
  const variance = mean(mul(centered, centered), -1, { keepDims: true });
  const normalized = mul(centered, rsqrt(add(variance, 1e-5)));
  return makeKernel('row', [add(mul(normalized, gamma), beta)], [h, gamma, beta]);
}

function rmsNorm(rows: number, columns: number): Kernel {
  const h = input('h', [rows, columns]);
  const gamma = param('gamma', [columns]);
  const meanSquare = mean(mul(h, h), -1, { keepDims: true });
  return makeKernel('row', [mul(mul(h, rsqrt(add(meanSquare, 1e-6))), gamma)], [h, gamma]);
}

function softmax(rows: number, columns: number): Kernel {
  const scores = input('scores', [rows, columns]);
  const shifted = exp(sub(scores, max(scores, -1, { keepDims: true })));
  return makeKernel('row', [div(shifted, sum(shifted, -1, { keepDims: true }))], [scores]);
}

async function expectMatchesReference(kernel: Kernel, generated: GeneratedKernel, label: string) {
  const data = new Map<Node, ArrayLike<number>>();
  const values: Record<string, Float64Array> = {};
  kernel.inputs.forEach((node, position) => {
    const tensor = randomTensor(node.shape as number[], { seed: 41 + position, min: -3, max: 3 });
    data.set(node, tensor.data);
    values[node.attrs.name as string] = Float64Array.from(tensor.data);
  });
  const pick = (op: string) =>
    Object.fromEntries(
      kernel.inputs
        .filter((node) => node.op === op)
        .map((node) => [node.attrs.name as string, values[node.attrs.name as string]!]),
    );
  const expected = interpret(makeGraph({ out: kernel.outputs[0]! }), {
    inputs: pick('input'),
    params: pick('param'),
  });
  const actual = (await runKernel(device, generated, data)).get(kernel.outputs[0]!)!;
  const report = expectClose(actual, expected.out!, { rtol: RTOL, atol: ATOL, label });
  expect(report.count).toBe(actual.length);
}

// Row lengths: 37 (a 64-wide workgroup, most invocations without a column), 300 (256 wide, not a
// multiple of the width), 1000 (several columns per invocation).
const kernels: Record<string, Kernel> = {
  'LayerNorm [5, 300]': layerNorm(5, 300),
  'RMSNorm [4, 37]': rmsNorm(4, 37),
  'softmax [3, 1000]': softmax(3, 1000),
};

describe.skipIf(!hasSubgroups)('row statistics through subgroups match float64', () => {
  for (const [name, kernel] of Object.entries(kernels)) {
    test(`${name}, subgroups on`, async () => {
      const generated = generateKernel(kernel, profile);
      expect(generated.wgsl).toContain('subgroupAdd(');
      await expectMatchesReference(kernel, generated, `${name} subgroups`);
    });
  }

  // Workgroups that are not a multiple of the subgroup size (30, 7) or smaller than one subgroup
  // (2, 1): partially filled subgroups, and a subgroup count the kernel cannot know in advance.
  for (const width of [30, 7, 2, 1]) {
    test(`LayerNorm [5, 300] with a ${width}-wide workgroup`, async () => {
      const kernel = layerNorm(5, 300);
      const generated = generateReduction(kernel, profile, {}, 'row', {
        cooperative: true,
        subgroups: true,
        width,
      });
      expect(generated.wgsl).toContain(`@workgroup_size(${width}, 1, 1)`);
      await expectMatchesReference(kernel, generated, `LayerNorm width ${width}`);
    });
  }
});

describe('row statistics without subgroups match float64', () => {
  const withoutSubgroups = { ...profile, subgroups: false };
  for (const [name, kernel] of Object.entries(kernels)) {
    test(`${name}, subgroups off`, async () => {
      const generated = generateKernel(kernel, withoutSubgroups);
      expect(generated.wgsl).not.toContain('subgroup');
      await expectMatchesReference(kernel, generated, `${name} tree`);
    });
  }
});
