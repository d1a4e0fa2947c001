import { input, makeGraph, matmul, param, permute, reshape } from '@weft/ir';
import { randomTensor } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { layerNorm } from '../../test/primitive-graphs.js';
import { expectMatchesReference, getTestDevice } from '../testing/index.js';

// f32 kernels against the float64 reference (matmuls and row statistics over K ≤ 128 terms).
const F32 = { rtol: 1e-5, atol: 1e-5 };

/** Kernels of a plan whose prologue decisions `decisions` were made: one more per split prologue. */
function expectedKernels(base: number, decisions: readonly { fused: boolean }[] | undefined): number {
  return base + (decisions ?? []).filter((decision) => !decision.fused).length;
}

describe('the cost model decides matmul prologues for the adapter', () => {
  it('LayerNorm → matmul: fused or a row kernel of its own, as decided, with the same values', async () => {
    const weft = await getTestDevice();
    const [m, k, n] = [64, 128, 256];
    const x = input('x', [1, m, k]);
    const graph = makeGraph({
      y: matmul(layerNorm(x, param('gamma', [k]), param('beta', [k])), param('w', [k, n])),
    });
    const result = await expectMatchesReference(graph, weft, {
      inputs: { x: randomTensor([1, m, k], { seed: 3 }) },
      params: {
        gamma: randomTensor([k], { seed: 4 }),
        beta: randomTensor([k], { seed: 5 }),
        w: randomTensor([k, n], { seed: 6 }),
      },
      ...F32,
      label: 'layernorm→matmul, priced',
    });
    const { decisions } = result.program.plan;
    expect(decisions).toHaveLength(1);
    expect(decisions![0]!.operand).toBe('A');
    // On a CPU emulation recomputing the norm for every 8 output columns costs more than a kernel.
    if (weft.adapter.software) expect(decisions![0]!.fused).toBe(false);
    expect(result.program.stats.kernels).toBe(expectedKernels(1, decisions));
    result.program.destroy();
  });

  it('merged heads → matmul: the permuted view is an elementwise kernel where recomputing it costs more', async () => {
    const { device } = await getTestDevice();
    const [heads, tokens, size] = [4, 40, 8];
    const attended = input('attended', [heads, tokens, size]);
    const merged = reshape(permute(attended, [1, 0, 2]), [tokens, heads * size]);
    const graph = makeGraph({ y: matmul(merged, param('wo', [heads * size, 48])) });
    const result = await expectMatchesReference(graph, device, {
      inputs: { attended: randomTensor([heads, tokens, size], { seed: 7 }) },
      params: { wo: randomTensor([heads * size, 48], { seed: 8 }) },
      ...F32,
      label: 'merged heads→matmul, priced',
    });
    expect(result.program.stats.kernels).toBe(expectedKernels(1, result.program.plan.decisions));
    result.program.destroy();
  });

  it('measured costs replace the table: a dispatch costlier than any recomputation fuses', async () => {
    const { device } = await getTestDevice();
    const [m, k, n] = [64, 128, 256];
    const x = input('x', [1, m, k]);
    const graph = makeGraph({
      y: matmul(layerNorm(x, param('gamma', [k]), param('beta', [k])), param('w', [k, n])),
    });
    const result = await expectMatchesReference(graph, device, {
      inputs: { x: randomTensor([1, m, k], { seed: 9 }) },
      params: {
        gamma: randomTensor([k], { seed: 10 }),
        beta: randomTensor([k], { seed: 11 }),
        w: randomTensor([k, n], { seed: 12 }),
      },
      ...F32,
      fusionCosts: { dispatchNs: 1e12 },
      label: 'layernorm→matmul, dispatch priced high',
    });
    expect(result.program.plan.decisions?.every((decision) => decision.fused)).toBe(true);
    expect(result.program.stats.kernels).toBe(1);
    result.program.destroy();
  });
});
