import { input, makeGraph, param } from '@weft/ir';
import { randomTensor } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { layerNorm, rmsNorm, softmax } from '../../test/primitive-graphs.js';
import type { WeftDevice } from '../device/request-weft-device.js';
import { expectMatchesReference, getTestDevice } from '../testing/index.js';
import { compile } from './compile.js';

// f32 budget: row statistics over at most 300 terms of magnitude ≤ 3, then a normalization.
const F32 = { rtol: 2e-5, atol: 1e-5 };

const weft = await getTestDevice();
const hasSubgroups = weft.device.features.has('subgroups');
if (!hasSubgroups) console.warn('compiled subgroup rows: skipped, the adapter has no `subgroups` feature');
// As a hardware GPU: rows longer than 32 run one workgroup per row (a software adapter's rows run
// one invocation per row, without a workgroup reduction).
const asHardware: WeftDevice = { ...weft, adapter: { ...weft.adapter, software: false } };

function rowGraph() {
  const x = input('x', [6, 300]);
  return makeGraph({
    norm: layerNorm(x, param('gamma', [300]), param('beta', [300])),
    rms: rmsNorm(x, param('gain', [300])),
    probabilities: softmax(x),
  });
}

const data = {
  inputs: { x: randomTensor([6, 300], { seed: 21, min: -3, max: 3 }) },
  params: {
    gamma: randomTensor([300], { seed: 22 }),
    beta: randomTensor([300], { seed: 23 }),
    gain: randomTensor([300], { seed: 24 }),
  },
};
const paramData = Object.fromEntries(
  Object.entries(data.params).map(([name, tensor]) => [name, tensor.data]),
);

describe('compiled row kernels use subgroups exactly where the device has them', () => {
  for (const subgroups of [true, false]) {
    it.skipIf(subgroups && !hasSubgroups)(`subgroups ${subgroups ? 'on' : 'off'}`, async () => {
      const graph = rowGraph();
      const program = await compile(graph, { device: asHardware, params: paramData, subgroups });
      const kernels = program.kernels.filter((kernel) => kernel.wgsl.includes('workgroupBarrier'));
      expect(kernels.length).toBeGreaterThan(0);
      for (const kernel of kernels) expect(kernel.wgsl.includes('subgroupAdd(')).toBe(subgroups);
      await expectMatchesReference(graph, asHardware, {
        ...data,
        ...F32,
        program,
        label: `rows, subgroups ${subgroups}`,
      });
      program.destroy();
    });
  }

  it('a software adapter keeps one invocation per row, without subgroups', async () => {
    const program = await compile(rowGraph(), {
      device: { ...weft, adapter: { ...weft.adapter, software: true } },
      params: paramData,
    });
    for (const kernel of program.kernels) expect(kernel.wgsl).not.toContain('subgroup');
    program.destroy();
  });
});
