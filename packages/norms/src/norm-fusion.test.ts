import { add, type Graph, gelu, input, makeGraph, matmul, param } from '@weft/ir';
import { compile } from '@weft/runtime';
import { describe, expect, it } from 'vitest';
import { layerNorm, NORM_CATALOG } from './index.js';
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

  it('residual + LayerNorm + matmul + GELU: a row kernel and a matmul kernel with the GELU epilogue', async () => {
    const sum = add(input('x', [8, 64]), input('residual', [8, 64]));
    const y = gelu(matmul(layerNorm(sum, { name: 'ln' }), param('w', [64, 32])));
    // Ideal is one matmul kernel whose prologue computes the row statistics; today the normalized rows round-trip through memory.
    expect(await kernelCount(makeGraph({ sum, y }))).toBeLessThanOrEqual(2);
  });
});
