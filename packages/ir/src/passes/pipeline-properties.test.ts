import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type Dim, symbolicDim } from '../dim.js';
import { WeftError } from '../errors.js';
import { type Graph, graphNodes, makeGraph } from '../graph/graph.js';
import { makeNode } from '../graph/make-node.js';
import { type Attrs, Node } from '../graph/node.js';
import { interpret } from '../interpret/interpret.js';
import { add, div, greater, maximum, minimum, mul, sub } from '../ops/binary-ops.js';
import { broadcastTo } from '../ops/broadcast-op.js';
import { BUILTIN_OPS } from '../ops/builtin-ops.js';
import { matmul } from '../ops/matmul-op.js';
import { permute } from '../ops/permute-op.js';
import { reduce } from '../ops/reduce-ops.js';
import { reshape } from '../ops/reshape-op.js';
import { where } from '../ops/select-op.js';
import { full, input, literal, param } from '../ops/source-ops.js';
import { abs, exp, neg, relu, sigmoid, sin, tanh, unaryOp } from '../ops/unary-ops.js';
import type { KernelPlan, MemoryPlan } from '../plan/kernel-plan.js';
import { PROLOGUE_REDUCTIONS } from '../plan/reduction-domain.js';
import { formatShape } from '../shape.js';
import { expectClose, randomTensor } from '../testing/index.js';
import { type PipelineResult, runPipeline } from './pipeline.js';

// Properties of the whole pipeline over random graphs. Runs are seeded, so failures reproduce.
const VALID_RUNS = 300;
const INVALID_RUNS = 300;
const counts = {
  valid: 0,
  invalid: 0,
  kernelsFused: 0,
  kernelsUnfused: 0,
  memoryPlans: 0,
  packedAtPeak: 0,
  worstPacking: 1,
};

afterAll(() => {
  console.info(
    `pipeline properties: ${counts.valid} valid graphs (${counts.kernelsFused} fused vs ${counts.kernelsUnfused} unfused kernels), ` +
      `${counts.invalid} invalid graphs, ${counts.memoryPlans} memory plans ` +
      `(${counts.packedAtPeak} packed at the live peak, worst arena/peak ${counts.worstPacking.toFixed(3)})`,
  );
});

describe('runPipeline on random valid graphs', () => {
  it('keeps every output value, covers every node and plans memory without overlap', () => {
    fc.assert(
      fc.property(randomGraphSpec, (spec) => {
        const built = buildGraph(spec);
        const reference = interpret(built.graph, built.run);
        for (const fuse of [true, false]) {
          const result = runPipeline(built.graph, {
            verifyEachPass: true,
            fuse,
            alignment: 2 ** (spec.shapeChoice % 9),
          });
          const optimized = interpret(result.graph, built.run);
          for (const name of Object.keys(reference)) {
            // The passes never reorder arithmetic, so float64 results agree to rounding of folded constants.
            expectClose(optimized[name]!, reference[name]!, { rtol: 1e-12, atol: 1e-12, label: name });
          }
          expectPlanCovers(result.plan);
          expectTemplatesHold(result.plan);
          expectMemorySound(result);
          if (fuse) counts.kernelsFused += result.plan.kernels.length;
          else counts.kernelsUnfused += result.plan.kernels.length;
        }
        counts.valid++;
      }),
      { numRuns: VALID_RUNS, seed: 20240611 },
    );
    expect(counts.kernelsFused).toBeLessThan(counts.kernelsUnfused);
  });
});

describe('runPipeline on random invalid graphs', () => {
  it('raises a WeftError (never a TypeError or a silent result)', () => {
    fc.assert(
      fc.property(invalidGraphSpec, (build) => {
        let thrown: unknown;
        try {
          runPipeline(makeGraph({ y: build() }), { verifyEachPass: true });
        } catch (error) {
          thrown = error;
        }
        expect(thrown, String(thrown)).toSatisfy((error: unknown) => WeftError.isInstance(error));
        counts.invalid++;
      }),
      { numRuns: INVALID_RUNS, seed: 20240612 },
    );
  });

  it('either builds a graph that passes the pipeline or raises a WeftError, for any op with junk attributes', () => {
    const ops = BUILTIN_OPS;
    const attrValue = fc.oneof(
      fc.integer({ min: -3, max: 5 }),
      fc.constantFrom('sum', 'add', 'exp', 'f32', 'i32', 'x', ''),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer({ min: -3, max: 5 }), { maxLength: 4 }),
    );
    const keys = [
      'fn',
      'axes',
      'axis',
      'keepDims',
      'shape',
      'perm',
      'dtype',
      'value',
      'name',
      'starts',
      'ends',
      'steps',
      'k',
    ];
    fc.assert(
      fc.property(
        fc.nat(ops.length - 1),
        fc.array(fc.nat(3), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom(...keys), attrValue, { maxKeys: 5 }),
        (opIndex, operandPicks, attrs) => {
          const pool = [input('a', [2, 3]), input('b', [3]), input('c', [3, 2]), input('n', [2], 'i32')];
          try {
            const node = makeNode(
              ops[opIndex]!.name,
              operandPicks.map((pick) => pool[pick]!),
              attrs as Attrs,
            );
            runPipeline(makeGraph({ y: node }), { verifyEachPass: true });
          } catch (error) {
            expect(error, String(error)).toSatisfy((value: unknown) => WeftError.isInstance(value));
          }
          counts.invalid++;
        },
      ),
      { numRuns: INVALID_RUNS, seed: 20240613 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Plan and memory invariants

function expectPlanCovers(plan: KernelPlan): void {
  const written = new Map<Node, number>();
  const appearances = new Map<Node, number>();
  plan.kernels.forEach((kernel, index) => {
    expect(kernel.id).toBe(index);
    for (const read of kernel.inputs) {
      // Dependency order: a kernel reads sources or what an earlier kernel wrote.
      expect(read.inputs.length === 0 || written.has(read)).toBe(true);
      expect(read.op).not.toBe('constant');
    }
    for (const node of kernel.nodes) appearances.set(node, (appearances.get(node) ?? 0) + 1);
    for (const output of kernel.outputs) {
      expect(kernel.nodes).toContain(output);
      expect(written.has(output)).toBe(false);
      written.set(output, index);
    }
    expect(kernel.nodes).toContain(kernel.anchor);
  });
  for (const node of graphNodes(plan.graph)) {
    if (node.inputs.length === 0) continue;
    const times = appearances.get(node) ?? 0;
    // Each non-source node is computed exactly once, except cheap shared values recomputed by each reader.
    expect(times).toBeGreaterThanOrEqual(1);
    if (times > 1) expect(written.has(node)).toBe(false);
  }
  for (const output of Object.values(plan.graph.outputs)) {
    if (output.inputs.length > 0) expect(written.has(output)).toBe(true);
  }
}

/** Each kernel holds what its template can compute. */
function expectTemplatesHold(plan: KernelPlan): void {
  for (const kernel of plan.kernels) {
    const computed = kernel.nodes.filter((node) => node.op !== 'constant');
    const byFusion = (kind: string) => computed.filter((node) => node.def.fusion === kind);
    const reductions = byFusion('reduction');
    const domains = new Set(
      reductions.map((node) => `${formatShape(node.inputs[0]!.shape)}/${String(node.attrs.axes)}`),
    );
    switch (kernel.template) {
      case 'elementwise':
        expect(reductions.length + byFusion('matmul').length + byFusion('opaque').length).toBe(0);
        break;
      case 'matmul':
        expect(byFusion('matmul')).toEqual([kernel.anchor]);
        expect(byFusion('opaque').length).toBe(0);
        // Prologue reductions are row statistics of A: its shape, reduced over K.
        for (const reduction of reductions) {
          expect(kernel.anchor.attrs.transposeA).toBe(false);
          expect(formatShape(reduction.inputs[0]!.shape)).toBe(formatShape(kernel.anchor.inputs[0]!.shape));
          expect(reduction.attrs.axes).toEqual([kernel.anchor.inputs[0]!.rank - 1]);
          expect(PROLOGUE_REDUCTIONS).toContain(reduction.attrs.fn);
        }
        break;
      case 'row':
      case 'reduce':
        expect(reductions.length).toBeGreaterThanOrEqual(1);
        expect(domains.size).toBe(1);
        expect(byFusion('matmul').length + byFusion('opaque').length).toBe(0);
        if (kernel.template === 'reduce') expect(reductions.length).toBe(1);
        break;
      default:
        expect(computed).toEqual([kernel.anchor]);
        expect(kernel.template).toBe(kernel.anchor.op);
    }
  }
}

function expectMemorySound({ plan, memory }: PipelineResult): void {
  const slots = [...memory.slots.values()];
  for (const slot of slots) expect(slot.offset % memory.alignment).toBe(0);
  for (let i = 0; i < slots.length; i++) {
    for (let j = i + 1; j < slots.length; j++) {
      const a = slots[i]!;
      const b = slots[j]!;
      const liveTogether = a.liveFrom <= b.liveTo && b.liveFrom <= a.liveTo;
      const overlap = a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes;
      expect(liveTogether && overlap).toBe(false);
    }
  }
  for (const kernel of plan.kernels) {
    for (const tensor of [...kernel.inputs, ...kernel.outputs]) {
      const slot = memory.slots.get(tensor);
      expect(slot).toBeDefined();
      expect(slot!.liveFrom <= kernel.id && kernel.id <= slot!.liveTo).toBe(true);
    }
  }
  expect(memory.arenaBytes).toBeGreaterThanOrEqual(memory.peakLiveBytes);
  expect(memory.peakLiveBytes).toBeGreaterThanOrEqual(worstLiveSum(memory, plan));
  expect(memory.arenaBytes).toBeLessThanOrEqual(memory.unsharedBytes);
  counts.memoryPlans++;
  if (memory.arenaBytes === memory.peakLiveBytes) counts.packedAtPeak++;
  if (memory.peakLiveBytes > 0)
    counts.worstPacking = Math.max(counts.worstPacking, memory.arenaBytes / memory.peakLiveBytes);
}

/** The live bytes at the worst kernel, recomputed from the slots (each rounded up to the alignment). */
function worstLiveSum(memory: MemoryPlan, plan: KernelPlan): number {
  let worst = 0;
  for (let kernel = 0; kernel < Math.max(plan.kernels.length, 1); kernel++) {
    let live = 0;
    for (const slot of memory.slots.values()) {
      if (slot.liveFrom <= kernel && kernel <= slot.liveTo)
        live += Math.ceil(slot.bytes / memory.alignment) * memory.alignment;
    }
    worst = Math.max(worst, live);
  }
  return worst;
}

// ---------------------------------------------------------------------------------------------
// Random valid graphs

interface GraphSpec {
  readonly shapeChoice: number;
  readonly steps: readonly (readonly [number, number, number, number])[];
  readonly extraOutput: number;
}

const randomGraphSpec: fc.Arbitrary<GraphSpec> = fc.record({
  shapeChoice: fc.nat(100),
  steps: fc.array(fc.tuple(fc.nat(16), fc.nat(50), fc.nat(50), fc.nat(255)), { minLength: 1, maxLength: 12 }),
  extraOutput: fc.nat(50),
});

const seq = symbolicDim('seq', { max: 8 });
const SHAPES: readonly (readonly Dim[])[] = [[4, 6], [2, 3, 4], [seq, 5], [6], [3, 1, 4]];
const UNARY = [neg, abs, tanh, sigmoid, relu, sin, exp] as const;
const BINARY = [add, sub, mul, maximum, minimum] as const;
const REDUCE = ['sum', 'max', 'mean', 'min'] as const;

/** Builds a graph from a spec, skipping steps that do not type-check (any such error must be a WeftError). */
function buildGraph(spec: GraphSpec): { graph: Graph; run: Parameters<typeof interpret>[1] } {
  const shape = SHAPES[spec.shapeChoice % SHAPES.length]!;
  const pool: Node[] = [input('x', shape), input('y', shape.slice(-1))];
  let paramCount = 0;
  for (const [kind, first, second, choice] of spec.steps) {
    const p = pool[first % pool.length]!;
    const q = pool[second % pool.length]!;
    const last = p.shape[p.rank - 1];
    try {
      const next = applyStep(kind, p, q, choice, last, () => `w${paramCount++}`);
      if (next !== undefined) pool.push(next);
    } catch (error) {
      if (!WeftError.isInstance(error)) throw error;
    }
  }
  const outputs: Record<string, Node> = { out: pool[pool.length - 1]! };
  const extra = pool[spec.extraOutput % pool.length]!;
  if (extra !== outputs.out) outputs.extra = extra;
  const graph = makeGraph(outputs);
  const inputs: Record<string, Float64Array> = {};
  const params: Record<string, Float64Array> = {};
  const dims = { seq: 3 };
  let seed = spec.shapeChoice + 1;
  for (const node of graphNodes(graph)) {
    if (node.op !== 'input' && node.op !== 'param') continue;
    const concrete = node.shape.map((dim) => (typeof dim === 'number' ? dim : dims.seq));
    const data = randomTensor(concrete, { seed: seed++ }).data;
    (node.op === 'input' ? inputs : params)[String(node.attrs.name)] = data;
  }
  return { graph, run: { inputs, params, dims } };
}

function applyStep(
  kind: number,
  p: Node,
  q: Node,
  choice: number,
  last: Dim | undefined,
  paramName: () => string,
): Node | undefined {
  switch (kind) {
    case 0:
      return UNARY[choice % UNARY.length]!(p);
    case 1:
      return BINARY[choice % BINARY.length]!(p, q);
    case 2:
      // Includes the identity operands 0 and 1, so simplification has work to do.
      return BINARY[choice % BINARY.length]!(p, full([0, 1, 2.5, -0.5][(choice >> 3) % 4]!, [], p.dtype));
    case 3:
      return typeof last === 'number'
        ? mul(
            p,
            literal(
              Array.from({ length: last }, (_, i) => 1 + i / 4),
              [last],
            ),
          )
        : undefined;
    case 4: {
      const axes = p.shape.map((_, axis) => axis).filter((axis) => (choice >> axis) & 1);
      return p.rank === 0 || axes.length === 0
        ? undefined
        : reduce(REDUCE[choice % 4]!, p, axes, { keepDims: (choice & 64) > 0 });
    }
    case 5:
      return p.rank >= 2 && typeof last === 'number'
        ? matmul(p, param(paramName(), [last, 1 + (choice % 4)]))
        : undefined;
    case 6:
    case 7: {
      if (p.rank < 2) return undefined;
      const perm = p.shape.map((_, axis) => axis).reverse();
      const once = permute(p, choice % 2 === 0 ? perm : [...perm.slice(1), perm[0]!]);
      return kind === 7 ? permute(once, perm) : once;
    }
    case 8:
      return p.shape.every((dim) => typeof dim === 'number')
        ? reshape(reshape(p, [-1]), p.rank >= 2 ? [p.shape[0]!, -1] : [-1])
        : undefined;
    case 9:
      return broadcastTo(p, [2, ...p.shape]);
    case 10:
      return neg(neg(p));
    case 11: {
      const scores = sub(p, reduce('max', p, [p.rank - 1], { keepDims: true }));
      const shifted = exp(scores);
      return p.rank === 0
        ? undefined
        : div(shifted, reduce('sum', shifted, [p.rank - 1], { keepDims: true }));
    }
    case 12:
      return where(greater(p, q), p, q);
    case 13: {
      const centered = sub(p, reduce('mean', p, [p.rank - 1], { keepDims: true }));
      return mul(centered, tanh(reduce('mean', mul(centered, centered), [p.rank - 1], { keepDims: true })));
    }
    case 14: {
      // A matmul epilogue that also reads a row statistic of the matmul's own operand.
      if (p.rank < 2 || typeof last !== 'number') return undefined;
      const statistic = reduce('sum', p, [p.rank - 1], { keepDims: true });
      const product = matmul(p, param(paramName(), [last, 2]));
      return (choice & 1) === 0 ? add(product, statistic) : add(statistic, product);
    }
    default:
      return add(mul(p, 1), 0);
  }
}

// ---------------------------------------------------------------------------------------------
// Random invalid graphs

const invalidGraphSpec: fc.Arbitrary<() => Node> = fc.oneof(
  fc.tuple(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 6, max: 9 })).map(
    ([a, b]) =>
      () =>
        add(input('a', [3, a]), input('b', [b])),
  ),
  fc
    .integer({ min: 2, max: 6 })
    .map(
      (extra) => () =>
        makeNode('reduce', [input('a', [2, 3])], { fn: 'sum', axes: [extra], keepDims: false }),
    ),
  fc
    .integer({ min: 1, max: 20 })
    .filter((n) => n !== 6)
    .map((n) => () => reshape(input('a', [2, 3]), [n])),
  fc
    .integer({ min: 1, max: 8 })
    .filter((k) => k !== 3)
    .map((k) => () => matmul(input('a', [2, 3]), input('b', [k, 4]))),
  fc
    .array(fc.integer({ min: -1, max: 3 }), { maxLength: 3 })
    .filter((perm) => perm.join() !== '0,1' && perm.join() !== '1,0')
    .map((perm) => () => makeNode('permute', [input('a', [2, 3])], { perm })),
  fc.constantFrom('nope', '', 'ADD').map((fn) => () => makeNode('unary', [input('a', [2])], { fn })),
  fc
    .integer({ min: 0, max: 4 })
    .filter((n) => n !== 2)
    .map(
      (n) => () =>
        makeNode(
          'binary',
          Array.from({ length: n }, () => input('a', [2])),
          { fn: 'add' },
        ),
    ),
  fc.constantFrom('f64', 'int', 3).map((dtype) => () => makeNode('cast', [input('a', [2])], { dtype })),
  fc.constantFrom('no.such.op', 'Binary').map((op) => () => makeNode(op, [input('a', [2])], {})),
  fc.constant(() => add(input('a', [2], 'f32'), input('b', [2], 'i32'))),
  fc.constant(() => new Node('unary', [input('a', [2, 3])], { fn: 'exp' }, [3, 2], 'f32', '0', unaryOp)),
  fc.constant(() => add(input('x', [2]), input('x', [3]))),
);
