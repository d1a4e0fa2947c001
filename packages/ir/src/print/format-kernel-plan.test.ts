import { describe, expect, it } from 'vitest';
import { symbolicDim } from '../dim.js';
import { makeGraph } from '../graph/graph.js';
import type { Node } from '../graph/node.js';
import { add, div, mul, sub } from '../ops/binary-ops.js';
import { matmul } from '../ops/matmul-op.js';
import { max, mean, sum } from '../ops/reduce-ops.js';
import { input, param } from '../ops/source-ops.js';
import { exp, gelu, rsqrt } from '../ops/unary-ops.js';
import { runPipeline } from '../passes/pipeline.js';
import { formatGraph } from './format-graph.js';
import { formatKernelPlan } from './format-kernel-plan.js';

const seq = symbolicDim('seq', { max: 128 });
const x = input('x', [seq, 64]);

function layerNorm(value: Node): Node {
  const centered = sub(value, mean(value, -1, { keepDims: true }));
  const variance = mean(mul(centered, centered), -1, { keepDims: true });
  return add(mul(mul(centered, rsqrt(add(variance, 1e-5))), param('gamma', [64])), param('beta', [64]));
}

function softmax(value: Node): Node {
  const shifted = exp(sub(value, max(value, -1, { keepDims: true })));
  return div(shifted, sum(shifted, -1, { keepDims: true }));
}

function mlp(value: Node): Node {
  const hidden = gelu(add(matmul(value, param('w1', [64, 256])), param('b1', [256])));
  return add(matmul(hidden, param('w2', [256, 64])), param('b2', [64]));
}

describe('formatGraph and formatKernelPlan', () => {
  it('print a LayerNorm: one row kernel', () => {
    const { graph, plan, memory } = runPipeline(makeGraph({ y: layerNorm(x) }), { verifyEachPass: true });
    expect(plan.kernels.length).toBe(1);
    expect(formatGraph(graph)).toMatchInlineSnapshot(`
      "%0 = input "x" : f32[seq<=128, 64]
      %1 = reduce.mean(%0) {axes=[1], keepDims=true} : f32[seq<=128, 1]
      %2 = binary.sub(%0, %1) : f32[seq<=128, 64]
      %3 = binary.mul(%2, %2) : f32[seq<=128, 64]
      %4 = reduce.mean(%3) {axes=[1], keepDims=true} : f32[seq<=128, 1]
      %5 = constant 0.00001 : f32[]
      %6 = binary.add(%4, %5) : f32[seq<=128, 1]
      %7 = unary.rsqrt(%6) : f32[seq<=128, 1]
      %8 = binary.mul(%2, %7) : f32[seq<=128, 64]
      %9 = param "gamma" : f32[64]
      %10 = binary.mul(%8, %9) : f32[seq<=128, 64]
      %11 = param "beta" : f32[64]
      %12 = binary.add(%10, %11) : f32[seq<=128, 64]
      return y=%12"
    `);
    expect(formatKernelPlan(plan, memory)).toMatchInlineSnapshot(`
      "kernel 0: row anchor=%4 reduce.mean
        nodes: %1 reduce.mean, %2 binary.sub, %3 binary.mul, %4 reduce.mean, %5 constant, %6 binary.add, %7 unary.rsqrt, %8 binary.mul, %10 binary.mul, %12 binary.add
        reads: %0 f32[seq<=128, 64] @0+32768 (input), %9 f32[64] @32768+256 (param), %11 f32[64] @33024+256 (param)
        writes: %12 f32[seq<=128, 64] @33280+32768 (output)
      arena: 66048 bytes (peak live 66048, unshared 66048, alignment 256)"
    `);
  });

  it('print a softmax: one row kernel', () => {
    const { graph, plan, memory } = runPipeline(makeGraph({ y: softmax(x) }), { verifyEachPass: true });
    expect(plan.kernels.length).toBe(1);
    expect(formatGraph(graph)).toMatchInlineSnapshot(`
      "%0 = input "x" : f32[seq<=128, 64]
      %1 = reduce.max(%0) {axes=[1], keepDims=true} : f32[seq<=128, 1]
      %2 = binary.sub(%0, %1) : f32[seq<=128, 64]
      %3 = unary.exp(%2) : f32[seq<=128, 64]
      %4 = reduce.sum(%3) {axes=[1], keepDims=true} : f32[seq<=128, 1]
      %5 = binary.div(%3, %4) : f32[seq<=128, 64]
      return y=%5"
    `);
    expect(formatKernelPlan(plan, memory)).toMatchInlineSnapshot(`
      "kernel 0: row anchor=%4 reduce.sum
        nodes: %1 reduce.max, %2 binary.sub, %3 unary.exp, %4 reduce.sum, %5 binary.div
        reads: %0 f32[seq<=128, 64] @0+32768 (input)
        writes: %5 f32[seq<=128, 64] @32768+32768 (output)
      arena: 65536 bytes (peak live 65536, unshared 65536, alignment 256)"
    `);
  });

  it('print a two-layer MLP: two matmul kernels with bias and gelu epilogues', () => {
    const { graph, plan, memory } = runPipeline(makeGraph({ y: mlp(x) }), { verifyEachPass: true });
    expect(plan.kernels.map((kernel) => kernel.template)).toEqual(['matmul', 'matmul']);
    expect(formatGraph(graph)).toMatchInlineSnapshot(`
      "%0 = input "x" : f32[seq<=128, 64]
      %1 = param "w1" : f32[64, 256]
      %2 = matmul(%0, %1) {transposeA=false, transposeB=false} : f32[seq<=128, 256]
      %3 = param "b1" : f32[256]
      %4 = binary.add(%2, %3) : f32[seq<=128, 256]
      %5 = unary.gelu(%4) : f32[seq<=128, 256]
      %6 = param "w2" : f32[256, 64]
      %7 = matmul(%5, %6) {transposeA=false, transposeB=false} : f32[seq<=128, 64]
      %8 = param "b2" : f32[64]
      %9 = binary.add(%7, %8) : f32[seq<=128, 64]
      return y=%9"
    `);
    expect(formatKernelPlan(plan, memory)).toMatchInlineSnapshot(`
      "kernel 0: matmul anchor=%2 matmul
        nodes: %2 matmul, %4 binary.add, %5 unary.gelu
        reads: %0 f32[seq<=128, 64] @131072+32768 (input), %1 f32[64, 256] @0+65536 (param), %3 f32[256] @163840+1024 (param)
        writes: %5 f32[seq<=128, 256] @165120+131072 (intermediate)
      kernel 1: matmul anchor=%7 matmul
        nodes: %7 matmul, %9 binary.add
        reads: %5 f32[seq<=128, 256] @165120+131072 (intermediate), %6 f32[256, 64] @65536+65536 (param), %8 f32[64] @164864+256 (param)
        writes: %9 f32[seq<=128, 64] @296192+32768 (output)
      arena: 328960 bytes (peak live 328960, unshared 328960, alignment 256)"
    `);
  });

  it('print the unfused baseline of the MLP: one kernel per node, intermediates sharing the arena', () => {
    const { plan, memory } = runPipeline(makeGraph({ y: mlp(x) }), { fuse: false });
    expect(plan.kernels.length).toBe(5);
    expect(formatKernelPlan(plan, memory)).toMatchInlineSnapshot(`
      "kernel 0: matmul anchor=%2 matmul
        nodes: %2 matmul
        reads: %0 f32[seq<=128, 64] @131072+32768 (input), %1 f32[64, 256] @0+65536 (param)
        writes: %2 f32[seq<=128, 256] @165120+131072 (intermediate)
      kernel 1: elementwise anchor=%4 binary.add
        nodes: %4 binary.add
        reads: %2 f32[seq<=128, 256] @165120+131072 (intermediate), %3 f32[256] @163840+1024 (param)
        writes: %4 f32[seq<=128, 256] @296192+131072 (intermediate)
      kernel 2: elementwise anchor=%5 unary.gelu
        nodes: %5 unary.gelu
        reads: %4 f32[seq<=128, 256] @296192+131072 (intermediate)
        writes: %5 f32[seq<=128, 256] @165120+131072 (intermediate)
      kernel 3: matmul anchor=%7 matmul
        nodes: %7 matmul
        reads: %5 f32[seq<=128, 256] @165120+131072 (intermediate), %6 f32[256, 64] @65536+65536 (param)
        writes: %7 f32[seq<=128, 64] @296192+32768 (intermediate)
      kernel 4: elementwise anchor=%9 binary.add
        nodes: %9 binary.add
        reads: %7 f32[seq<=128, 64] @296192+32768 (intermediate), %8 f32[64] @164864+256 (param)
        writes: %9 f32[seq<=128, 64] @165120+32768 (output)
      arena: 427264 bytes (peak live 427264, unshared 623872, alignment 256)"
    `);
  });
});
