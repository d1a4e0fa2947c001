import { add, exp, input, interpret, makeGraph, type Node, runPipeline, tensor64, verify } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { generateProgram } from './generate-kernel.js';
import { DEFAULT_DEVICE_PROFILE } from './generated-kernel.js';

/** 16 outputs along one elementwise chain: the planner puts them all in one kernel. */
function sixteenOutputs() {
  let value: Node = exp(input('x', [64]));
  const outputs: Record<string, Node> = {};
  for (let i = 0; i < 16; i++) {
    value = add(value, i + 1);
    outputs[`z${i}`] = value;
  }
  return makeGraph(outputs);
}

describe('kernels with more outputs than storage bindings are split', () => {
  it('16 fused outputs become kernels of at most 7 outputs by default, each generating WGSL', () => {
    const graph = sixteenOutputs();
    verify(graph);
    const { plan } = runPipeline(graph, { alignment: 256 });
    expect(plan.kernels.length).toBeGreaterThan(1);
    for (const kernel of plan.kernels) expect(kernel.outputs.length).toBeLessThanOrEqual(7);
    expect(new Set(plan.kernels.flatMap((kernel) => kernel.outputs)).size).toBe(16);
    expect(() => generateProgram(plan, DEFAULT_DEVICE_PROFILE)).not.toThrow();
  });

  it('the cap follows the option; split kernels compute the same values', () => {
    const graph = sixteenOutputs();
    const { plan, graph: optimized } = runPipeline(graph, { alignment: 256, maxKernelOutputs: 3 });
    for (const kernel of plan.kernels) expect(kernel.outputs.length).toBeLessThanOrEqual(3);
    const x = tensor64(
      [64],
      Array.from({ length: 64 }, (_, i) => i / 64),
    );
    const expected = interpret(graph, { inputs: { x } });
    const actual = interpret(optimized, { inputs: { x } });
    expect(Array.from(actual.z15!.data)).toEqual(Array.from(expected.z15!.data));
  });
});
