import { add, type Graph, gelu, input, makeGraph, matmul, param } from '@weft/ir';
import { compile } from '@weft/runtime';
import { describe, expect, it } from 'vitest';
import { layerNorm, NORM_CATALOG, rmsNorm } from './index.js';
import { sampleValues } from './sample-values.js';
import { EXPECTED_KERNELS } from './test-support/expected-kernels.js';

/** Kernels of the fused plan of `graph` (the CPU backend plans exactly as a device does). */
async function kernelCount(graph: Graph): Promise<number> {
  const program = await compile(graph, { device: 'cpu', params: sampleValues(graph, 1).params });
  const count = program.plan.kernels.length;
  program.destroy();
  return count;
}

describe('fused plans of the normalization layers', () => {
  it.each(NORM_CATALOG.map((entry) => [entry.mechanism, entry] as const))('%s', async (mechanism, entry) => {
    const expected = EXPECTED_KERNELS[mechanism]!;
    const count = await kernelCount(entry.build().graph);
    expect(count).toBeGreaterThanOrEqual(expected.ideal);
    expect(count).toBeLessThanOrEqual(expected.current);
  });

  it('residual add + LayerNorm is one row kernel writing both the sum and the normalized value', async () => {
    const sum = add(input('x', [8, 64]), input('residual', [8, 64]));
    expect(await kernelCount(makeGraph({ sum, y: layerNorm(sum, { name: 'ln' }) }))).toBe(1);
  });

  it('LayerNorm → GELU is one row kernel', async () => {
    expect(await kernelCount(makeGraph({ y: gelu(layerNorm(input('x', [8, 64]), { name: 'ln' })) }))).toBe(1);
  });

  it('residual + LayerNorm + matmul + GELU: one matmul kernel computing the row statistics in its prologue and writing the sum', async () => {
    const sum = add(input('x', [8, 64]), input('residual', [8, 64]));
    const y = gelu(matmul(layerNorm(sum, { name: 'ln' }), param('w', [64, 32])));
    expect(await kernelCount(makeGraph({ sum, y }))).toBe(1);
  });

  it('LayerNorm → matmul and RMSNorm → matmul are one matmul kernel each', async () => {
    const x = input('x', [8, 64]);
    const w = param('w', [64, 32]);
    expect(await kernelCount(makeGraph({ y: matmul(layerNorm(x, { name: 'ln' }), w) }))).toBe(1);
    expect(await kernelCount(makeGraph({ y: matmul(rmsNorm(x, { name: 'rms' }), w) }))).toBe(1);
  });
});
