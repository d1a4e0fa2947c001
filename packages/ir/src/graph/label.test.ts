import { describe, expect, it } from 'vitest';
import {
  add,
  exp,
  formatKernelPlan,
  input,
  makeGraph,
  makeNode,
  matmul,
  mean,
  mul,
  type OpDef,
  param,
  reshape,
  rsqrt,
  runPipeline,
  sub,
  tanh,
} from '../index.js';
import { decomposeExtensionOps } from '../passes/decompose-extension-ops.js';
import { kernelBlockLabel, kernelTitle } from '../plan/kernel-label.js';
import { inheritLabel, labelOf, nearestLabel, setLabel, withLabel } from './label.js';

// An extension op known only by its decomposition, as other packages define them.
const labelledAxpyOp: OpDef = {
  name: 'test.labelled-axpy',
  arity: 3,
  fusion: 'opaque',
  infer: (inputs) => inputs[1]!,
  decompose: (node) => add(mul(node.inputs[0]!, node.inputs[1]!), node.inputs[2]!),
};

function layerNorm(x: ReturnType<typeof input>, name: string) {
  const centered = sub(x, mean(x, -1, { keepDims: true }));
  const variance = mean(mul(centered, centered), -1, { keepDims: true });
  return mul(mul(centered, rsqrt(add(variance, 1e-5))), param(`${name}.gamma`, [16]));
}

describe('labels', () => {
  it('name the nodes built in a scope; the innermost scope applies and the first label wins', () => {
    const x = input('label-test.x', [4, 16]);
    const inner = withLabel('block', () => {
      const h = exp(x);
      return { h, q: withLabel('block.q', () => tanh(h)) };
    });
    expect(labelOf(inner.h)).toBe('block');
    expect(labelOf(inner.q)).toBe('block.q');
    expect(withLabel('other', () => exp(x))).toBe(inner.h);
    expect(labelOf(inner.h)).toBe('block');
    expect(labelOf(mul(inner.h, 3))).toBeUndefined();
    expect(withLabel('outside', () => 5)).toBe(5);
  });

  it('stay outside the structural hash: equal graphs with different labels are the same nodes', () => {
    const build = () => {
      const x = input('label-test.hash', [2, 8]);
      return add(matmul(x, param('label-test.w', [8, 8])), param('label-test.b', [8]));
    };
    const first = withLabel('model.a', build);
    const unlabelled = build();
    const second = withLabel('model.b', build);
    expect(second.hash).toBe(first.hash);
    expect(unlabelled.hash).toBe(first.hash);
    expect(second).toBe(first);
    expect(labelOf(second)).toBe('model.a');
  });

  it('leave shared values (constant, literal) unlabelled: every block uses the same node', () => {
    const x = input('label-test.constants', [3]);
    const sum = withLabel('layers.0.norm', () => add(x, 1e-5));
    expect(labelOf(sum)).toBe('layers.0.norm');
    expect(sum.inputs[1]!.op).toBe('constant');
    expect(labelOf(sum.inputs[1]!)).toBeUndefined();
  });

  it('setLabel, inheritLabel and nearestLabel', () => {
    const x = input('label-test.set', [3]);
    const y = setLabel(exp(x), 'named');
    expect(labelOf(y)).toBe('named');
    setLabel(y, 'renamed');
    expect(labelOf(y)).toBe('named');
    const z = inheritLabel(tanh(y), y);
    expect(labelOf(z)).toBe('named');
    expect(nearestLabel(add(mul(z, 2), 1))).toBe('named');
    expect(nearestLabel(add(mul(x, 2), 1))).toBeUndefined();
  });

  it('survive the passes: a replacement keeps the label of the node it replaces', () => {
    const x = input('label-test.passes', [4, 16]);
    const activated = exp(x);
    // x * 1 simplifies to its operand, which inherits the product's label.
    const scaled = withLabel('scaled', () => mul(activated, 1));
    // reshape(reshape(t)) becomes one new reshape, named after the outer one.
    const flat = withLabel('flat', () => reshape(reshape(tanh(x), [64]), [8, 8]));
    // A decomposed extension op: the primitive nodes it becomes carry its label.
    const axpy = withLabel('axpy', () =>
      makeNode(labelledAxpyOp, [input('label-test.a', [4, 16]), x, input('label-test.y', [4, 16])]),
    );
    const { graph } = runPipeline(makeGraph({ scaled, flat, axpy }), { decompose: true });
    expect(graph.outputs.scaled).toBe(activated);
    expect(labelOf(graph.outputs.scaled!)).toBe('scaled');
    expect(graph.outputs.flat!.inputs[0]!.op).toBe('unary');
    expect(labelOf(graph.outputs.flat!)).toBe('flat');
    expect(graph.outputs.axpy!.op).toBe('binary');
    expect(labelOf(graph.outputs.axpy!)).toBe('axpy');
    expect(labelOf(graph.outputs.axpy!.inputs[0]!)).toBe('axpy');
    expect(labelOf(decomposeExtensionOps(makeGraph({ axpy })).outputs.axpy!)).toBe('axpy');
  });

  it('name the fused kernels and their plan listing', () => {
    const x = input('label-test.plan', [8, 16]);
    const normalized = withLabel('layers.0.norm', () => layerNorm(x, 'layers.0.norm'));
    const projected = withLabel('layers.0.mlp.up', () =>
      matmul(normalized, param('layers.0.mlp.wUp', [16, 32])),
    );
    const { plan, memory } = runPipeline(makeGraph({ y: projected, stats: normalized }));
    expect(plan.kernels.map(kernelBlockLabel)).toContain('layers.0.mlp.up');
    const titles = plan.kernels.map((kernel) => kernelTitle(kernel));
    expect(titles).toContain('layers.0.mlp.up · matmul');
    expect(formatKernelPlan(plan, memory)).toContain('block="layers.0.mlp.up"');
  });

  it('a kernel without labelled nodes falls back to the nearest labelled operand', () => {
    const x = input('label-test.fallback', [8, 16]);
    const named = withLabel('encoder.out', () => exp(x));
    const { plan } = runPipeline(makeGraph({ y: mean(named, -1) }), { fuse: false });
    const last = plan.kernels[plan.kernels.length - 1]!;
    expect(labelOf(last.anchor)).toBeUndefined();
    expect(kernelBlockLabel(last)).toBe('encoder.out');
  });
});
