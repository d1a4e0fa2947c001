import { describe, expect, it } from 'vitest';
import { makeGraph } from '../../graph/graph.js';
import type { Node } from '../../graph/node.js';
import { add, mul, sub } from '../../ops/binary-ops.js';
import { matmul } from '../../ops/matmul-op.js';
import { permute } from '../../ops/permute-op.js';
import { mean } from '../../ops/reduce-ops.js';
import { reshape } from '../../ops/reshape-op.js';
import { input, param } from '../../ops/source-ops.js';
import { rsqrt } from '../../ops/unary-ops.js';
import { formatFusionDecisions } from '../../print/format-fusion-decisions.js';
import { planFusion } from '../fusion-planner.js';
import { nodeElementUnits } from './element-cost.js';
import {
  FUSE_EVERY_PROLOGUE,
  type FusionCostModel,
  HARDWARE_FUSION_COSTS,
  SOFTWARE_FUSION_COSTS,
  withFusionCosts,
} from './fusion-cost-model.js';

function layerNorm(value: Node, width: number): Node {
  const centered = sub(value, mean(value, -1, { keepDims: true }));
  const variance = mean(mul(centered, centered), -1, { keepDims: true });
  return add(mul(mul(centered, rsqrt(add(variance, 1e-5))), param('gamma', [width])), param('beta', [width]));
}

/** LayerNorm → matmul of x [rows, width] with W [width, columns]. */
function normMatmul(rows: number, width: number, columns: number) {
  return makeGraph({ y: matmul(layerNorm(input('x', [rows, width]), width), param('w', [width, columns])) });
}

function templates(graph: ReturnType<typeof makeGraph>, costs: FusionCostModel): string[] {
  return planFusion(graph, { costs }).kernels.map((kernel) => kernel.template);
}

describe('the fusion cost model', () => {
  it('fuses a norm prologue into a large matmul on a hardware GPU and gives it a row kernel on a software one', () => {
    const graph = normMatmul(128, 128, 384);
    expect(templates(graph, HARDWARE_FUSION_COSTS)).toEqual(['matmul']);
    expect(templates(graph, SOFTWARE_FUSION_COSTS)).toEqual(['row', 'matmul']);
    const [decision] = planFusion(graph, { costs: SOFTWARE_FUSION_COSTS }).decisions!;
    expect(decision).toMatchObject({ kind: 'matmul-prologue', operand: 'A', fused: false });
    expect(decision!.fusedNs).toBeGreaterThan(decision!.splitNs);
  });

  it('keeps a prologue fused where the matmul has one block of columns (a decode step)', () => {
    const graph = normMatmul(1, 128, 8);
    expect(templates(graph, SOFTWARE_FUSION_COSTS)).toEqual(['matmul']);
  });

  it('gives a permuted view of A an elementwise kernel on a software adapter: its index math repeats per block', () => {
    const attended = input('attended', [4, 128, 32]);
    const merged = reshape(permute(attended, [1, 0, 2]), [128, 128]);
    const graph = makeGraph({ y: matmul(merged, param('wo', [128, 128])) });
    expect(templates(graph, SOFTWARE_FUSION_COSTS)).toEqual(['elementwise', 'matmul']);
    expect(templates(graph, HARDWARE_FUSION_COSTS)).toEqual(['matmul']);
  });

  it('prices B prologues by the blocks of rows that reload them', () => {
    const graph = makeGraph({ y: matmul(input('x', [256, 64]), mul(param('w', [64, 64]), 0.5)) });
    const [decision] = planFusion(graph, { costs: SOFTWARE_FUSION_COSTS }).decisions!;
    expect(decision).toMatchObject({ operand: 'B' });
    // 256 rows in blocks of 4: each element of B is evaluated 64 times.
    expect(decision!.reason).toContain('× 64 evaluations');
  });

  it('fuses every prologue when recomputation is free (overrides replace table values)', () => {
    const costs = withFusionCosts(SOFTWARE_FUSION_COSTS, FUSE_EVERY_PROLOGUE);
    expect(costs.opNs).toBe(0);
    expect(costs.matmul).toEqual(SOFTWARE_FUSION_COSTS.matmul);
    expect(templates(normMatmul(128, 128, 384), costs)).toEqual(['matmul']);
  });

  it('explains each decision in one line', () => {
    const plan = planFusion(normMatmul(128, 128, 384), { costs: SOFTWARE_FUSION_COSTS });
    expect(formatFusionDecisions(plan)).toMatch(
      /^%\d+ matmul A = %\d+ binary\.add: split: recomputing it \(\d+ op units per element × 48 evaluations, 2 row statistics per 128 columns\) would cost [\d.]+ ms > [\d.]+ µs for a kernel of its own \(software\)$/,
    );
    expect(planFusion(normMatmul(128, 128, 384), { fuse: false }).decisions).toEqual([]);
  });

  it('counts index math and transcendental work above plain arithmetic', () => {
    const x = input('x', [4, 128, 32]);
    const merged = reshape(permute(x, [1, 0, 2]), [128, 128]);
    const sum = add(input('a', [8]), input('b', [8]));
    expect(nodeElementUnits(sum, new Set())).toBe(5); // two loads and an add
    expect(nodeElementUnits(merged, new Set())).toBeGreaterThan(3 * 8); // div/mod per source axis
    expect(nodeElementUnits(rsqrt(sum), new Set([sum]))).toBe(4);
  });
});
