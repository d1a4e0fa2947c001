import { describe, expect, it } from 'vitest';
import { type Graph, graphNodes, makeGraph } from '../graph/graph.js';
import type { Node } from '../graph/node.js';
import { add, div, mul, sub } from '../ops/binary-ops.js';
import { broadcastTo } from '../ops/broadcast-op.js';
import { concat } from '../ops/concat-op.js';
import { matmul } from '../ops/matmul-op.js';
import { permute, transpose } from '../ops/permute-op.js';
import { max, mean, sum } from '../ops/reduce-ops.js';
import { reshape } from '../ops/reshape-op.js';
import { cumsum } from '../ops/scan-op.js';
import { slice } from '../ops/slice-op.js';
import { full, input, param } from '../ops/source-ops.js';
import { exp, gelu, relu, rsqrt, silu, tanh } from '../ops/unary-ops.js';
import { planFusion } from './fusion-planner.js';
import type { KernelPlan } from './kernel-plan.js';

const x = input('x', [8, 16]);

function softmax(value: Node): Node {
  const shifted = exp(sub(value, max(value, -1, { keepDims: true })));
  return div(shifted, sum(shifted, -1, { keepDims: true }));
}

function layerNorm(value: Node): Node {
  const centered = sub(value, mean(value, -1, { keepDims: true }));
  const variance = mean(mul(centered, centered), -1, { keepDims: true });
  return add(mul(mul(centered, rsqrt(add(variance, 1e-5))), param('gamma', [16])), param('beta', [16]));
}

function reductionAxes(kernel: KernelPlan['kernels'][number]): string[] {
  return kernel.nodes.filter((node) => node.op === 'reduce').map((node) => String(node.attrs.axes));
}

function summary(plan: KernelPlan): string[] {
  return plan.kernels.map(
    (kernel) => `${kernel.template}:${kernel.nodes.filter((node) => node.op !== 'constant').length}`,
  );
}

/** Every non-source node is computed, each written once, and reads come from sources or earlier writes. */
function expectWellFormed(plan: KernelPlan): void {
  const written = new Set<Node>();
  for (const kernel of plan.kernels) {
    for (const input of kernel.inputs) expect(written.has(input) || input.inputs.length === 0).toBe(true);
    for (const output of kernel.outputs) {
      expect(written.has(output)).toBe(false);
      written.add(output);
    }
  }
  const computed = new Set(plan.kernels.flatMap((kernel) => kernel.nodes));
  for (const node of graphNodes(plan.graph))
    if (node.inputs.length > 0) expect(computed.has(node)).toBe(true);
}

function plan(graph: Graph, fuse = true): KernelPlan {
  const result = planFusion(graph, { fuse });
  expectWellFormed(result);
  return result;
}

describe('planFusion', () => {
  it('puts a softmax in one row kernel anchored at its last reduction', () => {
    const result = plan(makeGraph({ y: softmax(x) }));
    expect(summary(result)).toEqual(['row:5']);
    expect(result.kernels[0]!.anchor.attrs.fn).toBe('sum');
    expect(result.kernels[0]!.inputs).toEqual([x]);
  });

  it('puts a LayerNorm (two reductions, normalize, scale, shift) in one row kernel', () => {
    const result = plan(makeGraph({ y: layerNorm(x) }));
    expect(summary(result)).toEqual(['row:9']);
    expect(result.kernels[0]!.inputs.map((node) => node.attrs.name)).toEqual(['x', 'gamma', 'beta']);
  });

  it('fuses matmul epilogues (bias, gelu) and gives an MLP two matmul kernels', () => {
    const hidden = gelu(add(matmul(x, param('w1', [16, 32])), param('b1', [32])));
    const result = plan(makeGraph({ y: add(matmul(hidden, param('w2', [32, 16])), param('b2', [16])) }));
    expect(summary(result)).toEqual(['matmul:3', 'matmul:2']);
    expect(result.kernels[1]!.inputs[0]).toBe(hidden);
  });

  it('fuses an elementwise prologue whose only consumer is the matmul', () => {
    const result = plan(makeGraph({ y: matmul(tanh(mul(x, 0.5)), param('w', [16, 4])) }));
    expect(summary(result)).toEqual(['matmul:3']);
  });

  it('computes the row statistics of a softmax feeding a matmul in the matmul prologue', () => {
    const result = plan(makeGraph({ y: matmul(softmax(x), param('v', [16, 4])) }));
    expect(summary(result)).toEqual(['matmul:6']);
    expect(result.kernels[0]!.inputs.map((node) => node.attrs.name)).toEqual(['x', 'v']);
  });

  it('fuses an elementwise chain into one kernel and a reduction with its per-row epilogue', () => {
    expect(summary(plan(makeGraph({ y: relu(exp(add(x, 1))) })))).toEqual(['elementwise:3']);
    expect(summary(plan(makeGraph({ y: mul(sum(exp(x), -1), 2) })))).toEqual(['row:3']);
  });

  it('uses the reduce template for reductions over leading axes, with no per-element consumer', () => {
    const columnMean = mean(x, 0, { keepDims: true });
    const result = plan(makeGraph({ y: sub(x, columnMean) }));
    expect(summary(result)).toEqual(['reduce:1', 'elementwise:1']);
  });

  it('recomputes a cheap shared producer in each consumer and writes an expensive one once', () => {
    const bias = broadcastTo(reshape(param('b', [16]), [1, 16]), [8, 16]);
    const cheap = plan(makeGraph({ p: exp(add(x, bias)), q: tanh(mul(x, bias)) }));
    // The two consumers share one iteration space: one kernel writes both, computing the bias once.
    expect(summary(cheap)).toEqual(['elementwise:6']);
    expect(cheap.kernels[0]!.outputs.length).toBe(2);
    const shared = tanh(exp(tanh(exp(tanh(x)))));
    const expensive = plan(makeGraph({ p: exp(shared), q: relu(shared) }));
    expect(summary(expensive)).toEqual(['elementwise:5', 'elementwise:2']);
  });

  it('writes an intermediate graph output from the kernel that computes it', () => {
    const hidden = add(x, input('residual', [8, 16]));
    const result = plan(makeGraph({ hidden, y: layerNorm(hidden) }));
    expect(summary(result)).toEqual(['row:10']);
    expect(result.kernels[0]!.outputs.length).toBe(2);
  });

  it('gives opaque ops a kernel of their own, named after the op', () => {
    const result = plan(makeGraph({ y: exp(cumsum(mul(x, 2), -1)) }));
    expect(summary(result)).toEqual(['elementwise:1', 'scan:1', 'elementwise:1']);
  });

  it('inlines filled constants as literals rather than reading them', () => {
    const result = plan(makeGraph({ y: mul(add(x, full(1, [8, 16])), 3) }));
    expect(result.kernels[0]!.inputs).toEqual([x]);
    expect(result.kernels[0]!.nodes.filter((node) => node.op === 'constant').length).toBe(2);
  });

  it('plans one kernel per non-source node when fusion is off (the unfused baseline)', () => {
    const result = plan(makeGraph({ y: layerNorm(x) }), false);
    expect(result.kernels.length).toBe(9);
    expect(result.kernels.map((kernel) => kernel.template)).toContain('row');
  });
});

describe('norm → matmul prologue', () => {
  const w = param('w', [16, 4]);

  it('fuses LayerNorm (two-pass statistics) and RMSNorm into the matmul that reads them', () => {
    const layer = plan(makeGraph({ y: gelu(matmul(layerNorm(x), w)) }));
    expect(summary(layer)).toEqual(['matmul:11']);
    expect(layer.kernels[0]!.anchor.op).toBe('matmul');
    const rms = mul(x, rsqrt(add(mean(mul(x, x), -1, { keepDims: true }), 1e-6)));
    expect(summary(plan(makeGraph({ y: matmul(rms, w) })))).toEqual(['matmul:6']);
  });

  it('writes a residual sum that is also an output from the matmul kernel', () => {
    const hidden = add(x, input('residual', [8, 16]));
    const result = plan(makeGraph({ hidden, y: matmul(layerNorm(hidden), w) }));
    expect(summary(result)).toEqual(['matmul:11']);
    expect(result.kernels[0]!.outputs.map((node) => node.op)).toEqual(['binary', 'matmul']);
  });

  it('writes every residual sum of a deep pre-norm stack from the matmul whose epilogue it is', () => {
    const layers = 6;
    const sums: Node[] = [];
    let hidden: Node = x;
    for (let layer = 0; layer < layers; layer++) {
      const normalized = layerNorm(hidden);
      hidden = add(hidden, matmul(normalized, param(`w${layer}`, [16, 16])));
      sums.push(hidden);
    }
    const result = plan(makeGraph({ y: matmul(layerNorm(hidden), w) }));
    expect(result.kernels).toHaveLength(layers + 1);
    for (const value of sums) {
      const owners = result.kernels.filter((kernel) => kernel.nodes.includes(value));
      expect(owners).toHaveLength(1);
      expect(owners[0]!.template).toBe('matmul');
      expect(owners[0]!.outputs).toContain(value);
    }
  });

  it('keeps the statistics in a row kernel when A is transposed, B needs them, or the epilogue does', () => {
    const square = input('square', [16, 16]);
    const transposed = matmul(layerNorm(square), param('t', [16, 4]), { transposeA: true });
    expect(summary(plan(makeGraph({ y: transposed })))).toEqual(['row:9', 'matmul:1']);
    const normalized = layerNorm(x);
    const both = matmul(normalized, normalized, { transposeB: true });
    expect(summary(plan(makeGraph({ y: both })))).toEqual(['row:9', 'matmul:1']);
    const rowMean = mean(x, -1, { keepDims: true });
    const epilogue = add(matmul(sub(x, rowMean), w), rowMean);
    expect(summary(plan(makeGraph({ y: epilogue })))).toEqual(['row:1', 'matmul:3']);
  });
});

describe('movement in a matmul epilogue', () => {
  it('stores a matmul split into heads (reshape + permute) at the permuted place', () => {
    const projected = add(matmul(x, param('wq', [16, 16])), param('bq', [16]));
    const heads = permute(reshape(projected, [8, 4, 4]), [1, 0, 2]);
    expect(summary(plan(makeGraph({ q: mul(heads, 0.5) })))).toEqual(['matmul:5']);
  });

  it('stores a slice inside its window and ends the epilogue at a broadcast', () => {
    const product = matmul(x, param('w', [16, 4]));
    expect(summary(plan(makeGraph({ y: slice(product, [1, 0], [8, 4], [2, 1]) })))).toEqual(['matmul:2']);
    const reversed = slice(product, [7, 0], [-9, 4], [-1, 1]);
    expect(summary(plan(makeGraph({ y: reversed })))).toEqual(['matmul:1', 'elementwise:1']);
    const wide = add(product, input('z', [3, 8, 4]));
    expect(summary(plan(makeGraph({ y: wide })))).toEqual(['matmul:1', 'elementwise:1']);
  });
});

describe('conditioning matmul chunks', () => {
  it('writes a sliced chunk that is a graph output from the matmul kernel (adaLN-Zero gate)', () => {
    const condition = input('condition', [2, 8]);
    const chunks = add(matmul(condition, param('wc', [8, 48])), param('bc', [48]));
    const view = (start: number) => reshape(slice(chunks, [0, start], [2, start + 16]), [2, 1, 16]);
    const tokens = input('tokens', [2, 5, 16]);
    const centered = sub(tokens, mean(tokens, -1, { keepDims: true }));
    const modulated = add(mul(centered, add(view(16), 1)), view(0));
    const result = plan(makeGraph({ modulated, gate: view(32) }));
    expect(summary(result)).toEqual(['matmul:4', 'row:10']);
    expect(result.kernels[0]!.outputs.map((node) => node.op)).toEqual(['matmul', 'reshape']);
  });
});

describe('pre-norm fused QKV projection', () => {
  it('is one matmul kernel: LayerNorm statistics in the prologue, q, k, v stored by slices + permutes', () => {
    const qkv = add(matmul(layerNorm(x), param('wqkv', [16, 48])), param('bqkv', [48]));
    const split = (index: number) =>
      permute(reshape(slice(qkv, [0, index * 16], [8, (index + 1) * 16]), [8, 4, 4]), [1, 0, 2]);
    const result = plan(makeGraph({ q: split(0), k: split(1), v: split(2) }));
    expect(result.kernels.map((kernel) => kernel.template)).toEqual(['matmul']);
    expect(result.kernels[0]!.outputs.map((node) => node.op)).toEqual(['permute', 'permute', 'permute']);
  });
});

describe('row domains', () => {
  it('computes a reshape of the normalized rows in the row kernel (GroupNorm folding groups back)', () => {
    const image = input('image', [2, 6, 3, 3]);
    const grouped = reshape(image, [2, 3, 2, 3, 3]);
    const centered = sub(grouped, mean(grouped, [2, 3, 4], { keepDims: true }));
    const variance = mean(mul(centered, centered), [2, 3, 4], { keepDims: true });
    const folded = reshape(mul(centered, rsqrt(add(variance, 1e-5))), [2, 6, 3, 3]);
    const result = plan(makeGraph({ y: add(folded, reshape(param('beta', [6]), [6, 1, 1])) }));
    expect(summary(result)).toEqual(['row:11']);
  });

  it('never lets a node read the statistics of another row through a permute or a column broadcast', () => {
    const square = input('square', [16, 16]);
    expect(summary(plan(makeGraph({ y: transpose(softmax(square)) })))).toEqual(['row:4', 'elementwise:4']);
    const columnBroadcast = sub(square, mean(square, -1));
    expect(summary(plan(makeGraph({ y: columnBroadcast })))).toEqual(['row:1', 'elementwise:1']);
  });

  it('merges row kernels of one domain so one kernel writes several per-row statistics', () => {
    const image = input('image', [2, 4, 3, 3]);
    const standardized = (axes: number[]) => {
      const average = mean(image, axes, { keepDims: true });
      const centered = sub(image, average);
      const variance = mean(mul(centered, centered), axes, { keepDims: true });
      return { average, variance, value: mul(centered, rsqrt(add(variance, 1e-5))) };
    };
    const instance = standardized([2, 3]);
    const layer = standardized([1, 2, 3]);
    const result = plan(makeGraph({ y: add(mul(instance.value, 0.25), mul(layer.value, 0.75)) }));
    expect(summary(result)).toEqual(['row:4', 'row:14']);
    const [statistics, normalize] = [result.kernels[0]!, result.kernels[1]!];
    expect(reductionAxes(statistics)).toEqual(['2,3', '2,3']);
    expect(reductionAxes(normalize)).toEqual(['1,2,3', '1,2,3']);
    expect(statistics.outputs).toEqual([instance.average, instance.variance]);
  });
});

describe('unfused plans', () => {
  it('read an operand used twice once', () => {
    const x = input('x', [4]);
    const plan = planFusion(makeGraph({ y: mul(x, x) }), { fuse: false });
    expect(plan.kernels[0]!.inputs).toEqual([x]);
  });

  describe('a decoder block step (RMSNorm, KV cache, SwiGLU)', () => {
    const width = 16;
    const tokens = 4;
    const hidden = 32;
    const rows = [1, tokens, width];
    const rmsNorm = (value: Node, name: string): Node =>
      mul(
        mul(value, rsqrt(add(mean(mul(value, value), -1, { keepDims: true }), 1e-6))),
        param(name, [width]),
      );
    const chunk = (value: Node, index: number, size: number): Node =>
      slice(value, [0, 0, index * size], [1, tokens, (index + 1) * size]);
    const tokensIn = input('x', rows);
    const qkv = matmul(rmsNorm(tokensIn, 'norm1'), param('wqkv', [width, 3 * width]));
    // Appending the step's keys and values to the caches: two elementwise kernels of one shape.
    const keys = concat([input('past_k', rows), chunk(qkv, 1, width)], 1);
    const values = concat([input('past_v', rows), chunk(qkv, 2, width)], 1);
    const scores = matmul(chunk(qkv, 0, width), keys, { transposeB: true });
    const attended = matmul(softmax(scores), values);
    const residual = add(tokensIn, matmul(attended, param('wo', [width, width])));
    const gateUp = matmul(rmsNorm(residual, 'norm2'), param('wgu', [width, 2 * hidden]));
    const activated = mul(silu(chunk(gateUp, 0, hidden)), chunk(gateUp, 1, hidden));
    const y = add(residual, matmul(activated, param('wd', [hidden, width])));
    const result = plan(makeGraph({ y, keys, values }));
    const writing = (node: Node) => result.kernels.filter((kernel) => kernel.outputs.includes(node));

    it('writes both cache updates from one kernel', () => {
      const caches = writing(keys);
      expect(caches.length).toBe(1);
      expect(caches[0]!.template).toBe('elementwise');
      expect(caches[0]!.outputs).toEqual([keys, values]);
    });

    it('writes the residual sum once, from the out-projection epilogue, and never recomputes it', () => {
      const [writer] = writing(residual);
      expect(writer?.template).toBe('matmul');
      expect(writer?.nodes.some((node) => node.op === 'matmul' && node.inputs[0] === attended)).toBe(true);
      expect(result.kernels.filter((kernel) => kernel.nodes.includes(residual))).toEqual([writer]);
    });

    it('computes silu(gate) · up in the down projection prologue from the gate/up output', () => {
      const down = result.kernels.at(-1)!;
      expect(down.nodes).toContain(activated);
      expect(down.inputs).toContain(gateUp);
      expect(down.outputs).toEqual([y]);
    });

    it('is 7 kernels: QKV, caches, scores, softmax · V, out-projection, gate/up, down', () => {
      expect(summary(result).map((entry) => entry.split(':')[0])).toEqual([
        'matmul',
        'elementwise',
        'matmul',
        'matmul',
        'matmul',
        'matmul',
        'matmul',
      ]);
    });
  });
});
