import type { Kernel } from '@weft/ir';
import {
  abs,
  add,
  argmax,
  concat,
  conv1d,
  conv2d,
  cumsum,
  type DimBindings,
  div,
  elementCount,
  exp,
  expm1,
  gather,
  gelu,
  input,
  interpret,
  log1p,
  makeGraph,
  matmul,
  max,
  mean,
  mul,
  type Node,
  pad,
  param,
  permute,
  reshape,
  resolveShape,
  rsqrt,
  scan,
  sigmoid,
  slice,
  softplus,
  sub,
  sum,
  symbolicDim,
  tanh,
  topk,
  variable,
} from '@weft/ir';
import { expectClose, randomIndices, randomTensor } from '@weft/ir/test';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compileErrors, requestTestDevice, runKernel } from '../test/gpu-harness.js';
import { makeKernel } from '../test/kernel-fixtures.js';
import { generateKernel } from './generate-kernel.js';
import type { DeviceProfile, GeneratedKernel } from './generated-kernel.js';

let device: GPUDevice;
let profile: DeviceProfile;

beforeAll(async () => {
  device = await requestTestDevice();
  const limits = device.limits;
  profile = {
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
    shaderF16: device.features.has('shader-f16'),
    subgroups: device.features.has('subgroups'),
  };
});

afterAll(() => device?.destroy());

interface Case {
  readonly kernel: Kernel;
  readonly dims?: DimBindings;
  readonly rtol: number;
  readonly atol?: number;
  readonly profile?: (base: DeviceProfile) => DeviceProfile;
  readonly subgroupReductions?: boolean;
}

const seq = symbolicDim('seq', { max: 16 });

/** Every template, with shapes that are not multiples of the tile or workgroup sizes. */
function cases(): Record<string, Case> {
  const x = input('x', [3, seq, 7]);
  const bias = param('bias', [7]);
  const shifted = add(x, bias);
  const activations = makeKernel(
    'elementwise',
    [
      gelu(shifted),
      add(mul(softplus(x), sigmoid(shifted)), log1p(abs(x))),
      expm1(mul(x, 0.001)),
      tanh(mul(x, 20)),
    ],
    [x, bias],
  );

  const table = param('table', [11, 6]);
  const ids = input('ids', [5], 'i32');
  const left = input('left', [5, 9]);
  const right = input('right', [5, 4]);
  const copies = makeKernel(
    'elementwise',
    [concat([gather(table, ids), slice(left, [0, 1], [5, 9], [1, 3]), pad(right, [0, 2], [0, 1], 0.5)], 1)],
    [table, ids, left, right],
  );

  const h = input('h', [seq, 100]);
  const gamma = param('gamma', [100]);
  const mu = mean(h, -1, { keepDims: true });
  const centered = sub(h, mu);
  const variance = mean(mul(centered, centered), -1, { keepDims: true });
  const layerNorm = makeKernel('row', [mul(mul(centered, rsqrt(add(variance, 1e-5))), gamma)], [h, gamma]);

  const scores = input('scores', [6, 37]);
  const shiftedScores = exp(sub(scores, max(scores, -1, { keepDims: true })));
  const softmax = makeKernel(
    'row',
    [div(shiftedScores, sum(shiftedScores, -1, { keepDims: true }))],
    [scores],
  );
  const argmaxKernel = makeKernel('row', [argmax(scores, -1)], [scores]);
  // Symbolic, odd row length (5 here); per-element and per-row outputs of two chained reductions.
  const ragged = input('ragged', [4, seq]);
  const raggedCentered = sub(ragged, mean(ragged, -1, { keepDims: true }));
  const raggedStatistics = makeKernel(
    'row',
    [raggedCentered, mean(mul(raggedCentered, raggedCentered), -1)],
    [ragged],
  );
  const single = input('single', [3, 1]);
  const singleExp = exp(sub(single, max(single, -1, { keepDims: true })));
  const singleSoftmax = makeKernel('row', [div(singleExp, sum(singleExp, -1, { keepDims: true }))], [single]);

  const columns = input('columns', [37, 5, 3]);
  const columnSums = makeKernel('reduce', [sum(columns, [0, 2])], [columns]);

  const a = input('a', [2, 37, 19]);
  const scale = param('scale', [19]);
  const w = param('w', [19, 45]);
  const b = param('b', [45]);
  const product = matmul(mul(a, scale), w);
  const matmulEpilogue = makeKernel('matmul', [gelu(add(product, b))], [a, scale, w, b], { anchor: product });
  const at = input('at', [3, 19, 33]);
  const bt = input('bt', [1, 21, 19]);
  const transposed = matmul(at, bt, { transposeA: true, transposeB: true });
  const matmulTransposed = makeKernel('matmul', [transposed], [at, bt]);
  const rowsOfA = input('rows_of_a', [3, 10, 6]);
  const wt = param('wt', [9, 6]);
  const matmulTransposedB = makeKernel('matmul', [matmul(rowsOfA, wt, { transposeB: true })], [rowsOfA, wt]);
  const column = input('column', [2, 5, 1]);
  const row = param('row', [1, 7]);
  const matmulDepthOne = makeKernel('matmul', [matmul(column, row)], [column, row]);
  // Residual sum and RMSNorm in the prologue (the sum written once), heads split by the store.
  const hidden = input('hidden', [seq, 24]);
  const update = input('update', [seq, 24]);
  const gain = param('gain', [24]);
  const projection = param('projection', [24, 18]);
  const residual = add(hidden, update);
  const rootMeanSquare = rsqrt(add(mean(mul(residual, residual), -1, { keepDims: true }), 1e-5));
  const normalizedProduct = matmul(mul(mul(residual, rootMeanSquare), gain), projection);
  const heads = permute(reshape(normalizedProduct, [seq, 3, 6]), [1, 0, 2]);
  const matmulNormResidual = makeKernel('matmul', [heads, residual], [hidden, update, gain, projection], {
    anchor: normalizedProduct,
  });

  // LayerNorm statistics shared by a workgroup's block row, over several groups of block columns.
  const normRows = input('norm_rows', [6, 20]);
  const centeredRows = sub(normRows, mean(normRows, -1, { keepDims: true }));
  const rowScale = rsqrt(add(mean(mul(centeredRows, centeredRows), -1, { keepDims: true }), 1e-5));
  const wideProduct = matmul(mul(centeredRows, rowScale), param('wide', [20, 140]));
  const matmulWideNorm = makeKernel('matmul', [wideProduct], [normRows, wideProduct.inputs[1]!]);

  const lines = input('lines', [4, 50]);
  const cumulative = makeKernel('opaque', [cumsum(lines, 1)], [lines]);
  const reversed = makeKernel('opaque', [cumsum(lines, 0, { exclusive: true, reverse: true })], [lines]);
  const runningMax = makeKernel('opaque', [scan(lines, { axis: 1, fn: 'max' })], [lines]);
  // A custom inclusive scan without an identity starts from the line's first element (max(0, x₀)
  // would differ for a negative x₀).
  const customMax = makeKernel(
    'opaque',
    [scan(lines, { axis: 1, combine: variable('a').max(variable('b')) })],
    [lines],
  );

  const signal = input('signal', [2, 4, 30]);
  const filters = param('filters', [6, 2, 3]);
  const filterBias = param('filter_bias', [6]);
  const conv1 = makeKernel(
    'opaque',
    [conv1d(signal, filters, filterBias, { stride: 2, padding: [2, 1], dilation: 2, groups: 2 })],
    [signal, filters, filterBias],
  );
  const image = input('image', [1, 3, 9, 11]);
  const kernel2 = param('kernel2', [4, 3, 3, 3]);
  const conv2 = makeKernel(
    'opaque',
    [conv2d(image, kernel2, undefined, { stride: [2, 1], padding: 1, dilation: [1, 2] })],
    [image, kernel2],
  );
  const depthwiseKernel = param('depthwise', [3, 1, 3, 3]);
  const depthwise = makeKernel(
    'opaque',
    [conv2d(image, depthwiseKernel, undefined, { padding: 1, groups: 3 })],
    [image, depthwiseKernel],
  );

  const ranked = input('ranked', [5, 40]);
  const top = topk(ranked, 4);
  const bottom = topk(ranked, 3, { largest: false });
  const topValues = makeKernel('opaque', [top.values], [ranked]);
  const topIndices = makeKernel('opaque', [top.indices], [ranked]);
  const bottomValues = makeKernel('opaque', [bottom.values], [ranked]);

  const many = Array.from({ length: 6 }, (_, position) => input(`m${position}`, [3, 5]));
  const manySum = many.slice(1).reduce<Node>((total, tensor) => add(total, mul(tensor, 0.5)), many[0]!);
  const packed = makeKernel('elementwise', [manySum], many);

  const long = input('long', [3000]);
  const folded = makeKernel('elementwise', [exp(mul(long, 0.01))], [long]);

  const dims = { seq: 5 };
  return {
    'elementwise activations (gelu, softplus, sigmoid, log1p, expm1, tanh)': {
      kernel: activations,
      dims,
      rtol: 3e-5,
      atol: 1e-6,
    },
    'elementwise gather + slice + pad + concat': { kernel: copies, rtol: 0 },
    'row LayerNorm (tree)': { kernel: layerNorm, dims, rtol: 2e-5, atol: 1e-5, subgroupReductions: false },
    'row LayerNorm (subgroups)': {
      kernel: layerNorm,
      dims,
      rtol: 2e-5,
      atol: 1e-5,
      subgroupReductions: true,
    },
    'row softmax (tree)': { kernel: softmax, rtol: 2e-5, atol: 1e-7, subgroupReductions: false },
    'row softmax (subgroups)': { kernel: softmax, rtol: 2e-5, atol: 1e-7, subgroupReductions: true },
    'row argmax': { kernel: argmaxKernel, rtol: 0 },
    'row LayerNorm (one invocation per row)': {
      kernel: layerNorm,
      dims,
      rtol: 2e-5,
      atol: 1e-5,
      profile: software,
    },
    'row softmax (one invocation per row)': { kernel: softmax, rtol: 2e-5, atol: 1e-7, profile: software },
    'row argmax (one invocation per row)': { kernel: argmaxKernel, rtol: 0, profile: software },
    'row statistics over a symbolic odd length (one invocation per row)': {
      kernel: raggedStatistics,
      dims,
      rtol: 1e-5,
      atol: 1e-6,
    },
    'row softmax over rows of length 1': { kernel: singleSoftmax, rtol: 1e-6 },
    'reduce over axes 0 and 2': { kernel: columnSums, rtol: 1e-5, atol: 1e-5 },
    'matmul with prologue and bias + gelu epilogue': { kernel: matmulEpilogue, rtol: 1e-4, atol: 1e-5 },
    'matmul batched broadcast, both transposed': { kernel: matmulTransposed, rtol: 1e-4, atol: 1e-5 },
    'matmul direct with prologue and bias + gelu epilogue': {
      kernel: matmulEpilogue,
      rtol: 1e-4,
      atol: 1e-5,
      profile: software,
    },
    'matmul direct batched broadcast, both transposed': {
      kernel: matmulTransposed,
      rtol: 1e-4,
      atol: 1e-5,
      profile: software,
    },
    'matmul transposed B, N = 9': { kernel: matmulTransposedB, rtol: 1e-4, atol: 1e-5 },
    'matmul direct transposed B, N = 9': {
      kernel: matmulTransposedB,
      rtol: 1e-4,
      atol: 1e-5,
      profile: software,
    },
    'matmul K = 1': { kernel: matmulDepthOne, rtol: 1e-6 },
    'matmul direct K = 1': { kernel: matmulDepthOne, rtol: 1e-6, profile: software },
    'matmul RMSNorm + residual prologue, permuted epilogue': {
      kernel: matmulNormResidual,
      dims: { seq: 11 },
      rtol: 1e-4,
      atol: 1e-5,
    },
    'matmul direct RMSNorm + residual prologue, permuted epilogue': {
      kernel: matmulNormResidual,
      dims: { seq: 11 },
      rtol: 1e-4,
      atol: 1e-5,
      profile: software,
    },
    'matmul direct LayerNorm prologue, N = 140 (two groups of block columns)': {
      kernel: matmulWideNorm,
      rtol: 1e-4,
      atol: 1e-5,
      profile: software,
    },
    'scan cumsum': { kernel: cumulative, rtol: 1e-5, atol: 1e-5 },
    'scan exclusive reversed cumsum': { kernel: reversed, rtol: 1e-5, atol: 1e-6 },
    'scan running max': { kernel: runningMax, rtol: 0 },
    'scan custom running max, no identity': { kernel: customMax, rtol: 0 },
    'conv1d grouped, strided, dilated, padded, bias': { kernel: conv1, rtol: 1e-5, atol: 1e-5 },
    'conv2d strided, dilated, padded': { kernel: conv2, rtol: 1e-5, atol: 1e-5 },
    'conv2d depthwise': { kernel: depthwise, rtol: 1e-5, atol: 1e-5 },
    'topk values': { kernel: topValues, rtol: 0 },
    'topk indices': { kernel: topIndices, rtol: 0 },
    'topk smallest values': { kernel: bottomValues, rtol: 0 },
    'packed inputs (4 storage buffers)': {
      kernel: packed,
      rtol: 1e-6,
      profile: (base) => ({ ...base, limits: { ...base.limits, maxStorageBuffersPerShaderStage: 4 } }),
    },
    'grid folded into y (4 workgroups per dimension)': {
      kernel: folded,
      rtol: 1e-5,
      profile: (base) => ({ ...base, limits: { ...base.limits, maxComputeWorkgroupsPerDimension: 4 } }),
    },
  };
}

/**
 * A software adapter's profile: row kernels take the one-invocation-per-row variant, matmuls the
 * direct one.
 */
function software(base: DeviceProfile): DeviceProfile {
  return { ...base, software: true };
}

function generate(testCase: Case): GeneratedKernel {
  const deviceProfile = testCase.profile?.(profile) ?? profile;
  return generateKernel(
    testCase.kernel,
    deviceProfile,
    testCase.subgroupReductions === undefined ? {} : { subgroupReductions: testCase.subgroupReductions },
  );
}

describe('every template compiles on a real device', () => {
  for (const [name, testCase] of Object.entries(cases())) {
    test(name, async () => {
      expect(await compileErrors(device, generate(testCase))).toEqual([]);
    });
  }
});

describe('every template matches the float64 reference', () => {
  for (const [name, testCase] of Object.entries(cases())) {
    test(name, async () => {
      if (testCase.subgroupReductions === true && !profile.subgroups) return;
      const generated = generate(testCase);
      const dims = testCase.dims ?? {};
      const data = new Map<Node, ArrayLike<number>>();
      const named: Record<string, ArrayLike<number>> = {};
      testCase.kernel.inputs.forEach((node, position) => {
        const shape = resolveShape(node.shape, dims);
        const values =
          node.dtype === 'i32'
            ? randomIndices(shape, 11, position + 1).data
            : randomTensor(shape, { seed: position + 7, min: -3, max: 3 }).data;
        data.set(node, values);
        named[node.attrs.name as string] = values;
      });
      const graph = makeGraph(
        Object.fromEntries(testCase.kernel.outputs.map((node, position) => [`out${position}`, node])),
      );
      const sources = Object.fromEntries(
        testCase.kernel.inputs.map((node) => [node.attrs.name as string, named[node.attrs.name as string]!]),
      );
      const inputs = Object.fromEntries(
        testCase.kernel.inputs
          .filter((node) => node.op === 'input')
          .map((node) => [node.attrs.name as string, sources[node.attrs.name as string]!]),
      );
      const params = Object.fromEntries(
        testCase.kernel.inputs
          .filter((node) => node.op === 'param')
          .map((node) => [node.attrs.name as string, sources[node.attrs.name as string]!]),
      );
      const expected = interpret(graph, { inputs, params, dims });
      const actual = await runKernel(device, generated, data, dims);
      testCase.kernel.outputs.forEach((node, position) => {
        const result = actual.get(node)!;
        expect(result.length).toBe(elementCount(resolveShape(node.shape, dims)));
        const report = expectClose(result, expected[`out${position}`]!, {
          rtol: testCase.rtol,
          atol: testCase.atol ?? 0,
          label: `${name} output ${position}`,
        });
        expect(report.count).toBe(result.length);
      });
    });
  }
});
