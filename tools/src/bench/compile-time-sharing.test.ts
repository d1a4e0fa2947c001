import { attention } from '@weft/attention/kernels';
import { runPipeline } from '@weft/ir';
import { buildModelGraph, parseModelSpec } from '@weft/models';
import { DEFAULT_DEVICE_PROFILE, fusionCostModelOf, type GeneratedKernel, generateProgram } from '@weft/wgsl';
import { describe, expect, test } from 'vitest';
import { demoSpecWithLayers } from './compile-time.js';

const PROFILES = {
  hardware: { ...DEFAULT_DEVICE_PROFILE, subgroups: false, software: false },
  software: { ...DEFAULT_DEVICE_PROFILE, subgroups: true, software: true },
};

/** A module without its header, each layer index of a name as `#`. */
const masked = (kernel: GeneratedKernel) =>
  kernel.wgsl.slice(kernel.wgsl.indexOf('\n\n')).replace(/(?<=layers[._])[0-9]+(?=[._])/g, '#');

const layerOf = (kernel: GeneratedKernel) => /layers\.([0-9]+)\./.exec(kernel.wgsl)?.[1];

describe('the compile-time case: the 12-layer demo decoder step', () => {
  for (const [name, profile] of Object.entries(PROFILES)) {
    test(`${name}: shared rendering equals rendering alone, and layers 10-11 print layer 2's text`, () => {
      const { graph } = buildModelGraph(parseModelSpec(demoSpecWithLayers(12)), { mode: 'step' });
      const { plan } = runPipeline(graph, { fusionCosts: fusionCostModelOf(profile) });
      const options = { extensions: [attention] };
      const shared = generateProgram(plan, profile, options);
      const alone = generateProgram(plan, profile, { ...options, shareKernels: false });
      expect(shared.map((kernel) => kernel.wgsl)).toEqual(alone.map((kernel) => kernel.wgsl));
      const layer = (index: string) => alone.filter((kernel) => layerOf(kernel) === index).map(masked);
      expect(layer('2').length).toBeGreaterThan(3);
      expect(layer('10')).toEqual(layer('2'));
      // The kernel after layer 11's (the final norm, which reads its residual sum) counts as layer 11's.
      expect(layer('11').slice(0, layer('2').length)).toEqual(layer('2'));
      for (const kernel of alone) {
        for (const line of kernel.wgsl.split('\n')) expect(line.length, line).toBeLessThanOrEqual(120);
      }
    }, 120_000);
  }
});
