import { attention } from '@weft/attention/kernels';
import {
  add,
  elementwiseUnary,
  type Graph,
  input,
  interpret,
  makeGraph,
  matmul,
  param,
  roundToDType,
  SpecError,
  symbolicDim,
  type Tensor64,
  tensor64,
} from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { layerNorm } from '@weft/norms';
import { compile, type Program } from '@weft/runtime';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { transformerBlock } from '../blocks/transformer-block.js';
import { parseModelSpec } from '../spec/model-spec-json.js';
import { randomGraphParams } from '../testing/random-graph-params.js';
import { TINY_LLAMA } from '../testing/tiny-specs.js';
import { buildDecoderLmGraph } from './decoder-lm-graph.js';

// f16 storage (`halfStorage: true`) through its emulation: at precision 'f16-emulated' the f32
// intermediates between kernels and the f32 parameters (converted to f16 bits once, at upload) are
// two f16 values per u32 word (pack2x16float / unpack2x16float,
// stores through atomicAnd/atomicOr), the same bytes as real f16 storage, on SwiftShader. Checked
// against float64 on f16-rounded inputs and parameters. Every check runs the program twice: first
// on other inputs (×8), so an element a kernel fails to write keeps a stale value, then on the
// checked inputs with the outputs poisoned with NaN.
/** The f16 tier's budget: max-norm relative error vs float64. */
const F16_BUDGET = 2e-3;

const results: Record<string, string> = {};
afterAll(() => console.info(`f16 storage (emulated) vs float64:\n${JSON.stringify(results, null, 1)}`));

const toF16 = (tensor: Tensor64): Tensor64 =>
  tensor.dtype === 'f32'
    ? { ...tensor, data: tensor.data.map((value) => roundToDType(value, 'f16')) }
    : tensor;
const dataOf = (tensors: Readonly<Record<string, Tensor64>>, scale = 1) =>
  Object.fromEntries(
    Object.entries(tensors).map(([name, t]) => [
      name,
      t.dtype === 'f32' ? Float32Array.from(t.data, (value) => value * scale) : Int32Array.from(t.data),
    ]),
  );

async function runTwice(
  program: Program,
  inputs: Record<string, Tensor64>,
  dims: Record<string, number>,
): Promise<Record<string, Float32Array>> {
  await program.run(dataOf(inputs, 8), { dims });
  const outputs = await program.run(dataOf(inputs), { dims, poisonOutputs: true });
  return Object.fromEntries(Object.entries(outputs).map(([name, r]) => [name, Float32Array.from(r.data)]));
}

/**
 * Compiles `graph` with f16 storage and with the emulation's f32 storage; checks the arena, the
 * kernels' storage types and each output vs float64.
 */
async function check(
  label: string,
  graph: Graph,
  rawInputs: Record<string, Tensor64>,
  {
    dims = {},
    fuse = true,
    paramScale = 0.5,
  }: { dims?: Record<string, number>; fuse?: boolean; paramScale?: number } = {},
) {
  const device = await getTestDevice();
  const params = Object.fromEntries(
    Object.entries(randomGraphParams(graph, 7, paramScale)).map(([name, t]) => [name, toF16(t)]),
  );
  const inputs = Object.fromEntries(Object.entries(rawInputs).map(([name, t]) => [name, toF16(t)]));
  const exact = interpret(graph, { inputs, params, dims });
  const options = {
    device,
    extensions: [attention],
    params: dataOf(params),
    precision: 'f16-emulated',
    fuse,
  } as const;
  const half = await compile(graph, { ...options, halfStorage: true });
  const full = await compile(graph, options);
  try {
    const halfOutputs = await runTwice(half, inputs, dims);
    const fullOutputs = await runTwice(full, inputs, dims);
    const halfSlots = [...half.memory.slots.values()].filter((slot) => slot.halfStored === true);
    expect(halfSlots.length, `${label}: f16-stored intermediates`).toBeGreaterThan(0);
    const wgsl = half.kernels.map((kernel) => kernel.wgsl).join('\n');
    expect(wgsl).toContain('unpack2x16float(');
    expect(wgsl).toContain('array<atomic<u32>>');
    if (label.startsWith('transformer block') || label.startsWith('tiny')) {
      // The attention kernel reads its projections from, and writes its output to, f16 storage.
      const opaque = half.kernels.filter((kernel) =>
        kernel.kernel.nodes.some((node) => node.op === 'attention'),
      );
      expect(opaque.length, `${label}: attention kernels`).toBeGreaterThan(0);
      for (const kernel of opaque) expect(kernel.wgsl).toMatch(/weft_(load|store)_half_\d+\(/);
    }
    // The parameters are f16-stored: half their f32 bytes, in the read-only sources buffer.
    const paramSlots = (program: Program) =>
      [...program.memory.slots.values()].filter((slot) => slot.role === 'param');
    expect(paramSlots(half).length, `${label}: parameters`).toBeGreaterThan(0);
    for (const slot of paramSlots(half)) expect(slot.halfStored, String(slot.node.attrs.name)).toBe(true);
    const paramBytes = (program: Program) => paramSlots(program).reduce((sum, slot) => sum + slot.bytes, 0);
    // The arena buffer: every tensor above the sources (graph inputs stay f32).
    const arenaBuffer = (program: Program) =>
      program.memory.arenaBytes -
      Math.min(
        ...[...program.memory.slots.values()]
          .filter((slot) => slot.role === 'intermediate' || slot.role === 'output')
          .map((slot) => slot.offset),
      );
    const intermediates = (program: Program) =>
      [...program.memory.slots.values()]
        .filter((slot) => slot.role === 'intermediate')
        .reduce((sum, slot) => sum + slot.bytes, 0);
    for (const name of Object.keys(exact)) {
      const actual = halfOutputs[name]!;
      expect(actual.every(Number.isFinite), `${label} ${name}: finite`).toBe(true);
      const error = relativeError(actual, exact[name]!);
      const f32Storage = relativeError(fullOutputs[name]!, exact[name]!);
      const differing = actual.filter((value, index) => value !== fullOutputs[name]![index]).length;
      results[`${label} ${name}`] =
        `${error.toExponential(2)} (f32 storage ${f32Storage.toExponential(2)}, ${differing} of ${actual.length} ` +
        `outputs differ); ${half.kernels.length} kernels; intermediates ${intermediates(half)} B vs ` +
        `${intermediates(full)} B; parameters ${paramBytes(half)} B vs ${paramBytes(full)} B; ` +
        `arena buffer ${arenaBuffer(half)} B vs ${arenaBuffer(full)} B`;
      expect(error, `${label} ${name}`).toBeLessThan(F16_BUDGET);
      // The stored values are the ones the f32-storage emulation rounds to: the same numerics.
      expect(error, `${label} ${name}: same numerics as f32 storage`).toBeLessThan(f32Storage * 1.5 + 1e-6);
    }
    // Each f16-stored intermediate or parameter takes half its f32 bytes, rounded up to a whole 4-byte word.
    for (const slot of half.memory.slots.values()) {
      const f32Bytes = full.memory.slots.get(slot.node)!.bytes;
      expect(slot.bytes).toBe(slot.halfStored === true ? Math.ceil(f32Bytes / 8) * 4 : f32Bytes);
    }
    return wgsl;
  } finally {
    half.destroy();
    full.destroy();
  }
}

describe('f16 storage, emulated in packed u32 words: vs float64', () => {
  it('matmul chain with odd element counts, unfused: [33, 40] × [40, 57] → gelu → × [57, 31]', {
    timeout: 300_000,
  }, async () => {
    const x = input('x', [33, 40]);
    const hidden = elementwiseUnary('gelu', matmul(x, param('w1', [40, 57])));
    const graph = makeGraph({ y: matmul(hidden, param('w2', [57, 31])) });
    await check(
      'matmul chain (unfused)',
      graph,
      { x: randomTensor([33, 40], { seed: 3, min: -2, max: 2 }) },
      {
        fuse: false,
        paramScale: 1,
      },
    );
  });

  it('LayerNorm of a matmul [21, 48] × [48, 37] (the norm reads f16-stored rows)', {
    timeout: 300_000,
  }, async () => {
    const x = input('x', [21, 48]);
    const graph = makeGraph({ y: layerNorm(matmul(x, param('w', [48, 37])), { name: 'ln' }) });
    await check(
      'layernorm of matmul',
      graph,
      { x: randomTensor([21, 48], { seed: 5, min: -2, max: 2 }) },
      {
        fuse: false,
        paramScale: 1,
      },
    );
  });

  it('transformer block (RMSNorm, GQA attention, SwiGLU), seq 6 of 16', { timeout: 300_000 }, async () => {
    const seq = symbolicDim('seq', { max: 16 });
    const x = input('x', [1, seq, 32]);
    const block = transformerBlock(
      x,
      {
        attention: { heads: 4, kvHeads: 2, headDim: 8 },
        mlp: { kind: 'swiglu', hidden: 48 },
        norm: { kind: 'rmsnorm', eps: 1e-6 },
      },
      'layers.0',
    );
    const inputs = { x: randomTensor([1, 6, 32], { seed: 9, min: -1, max: 1 }) };
    await check('transformer block', makeGraph({ y: block.output }), inputs, { dims: { seq: 6 } });
    await check('transformer block (unfused)', makeGraph({ y: block.output }), inputs, {
      dims: { seq: 6 },
      fuse: false,
    });
  });

  it('a kernel over the storage-binding limit reads f16-stored inputs from its packed binding', {
    timeout: 300_000,
  }, async () => {
    // More matmul results (intermediates) than the device has storage bindings, summed by one kernel.
    const device = await getTestDevice();
    const count = device.device.limits.maxStorageBuffersPerShaderStage + 2;
    const x = input('x', [5, 12]);
    const products = Array.from({ length: count }, (_, i) => matmul(x, param(`w${i}`, [12, 7])));
    const graph = makeGraph({ y: products.reduce((sum, product) => add(sum, product)) });
    const packed = await check(
      `${count} matmuls summed (packed inputs)`,
      graph,
      {
        x: randomTensor([5, 12], { seed: 13, min: -2, max: 2 }),
      },
      { paramScale: 1 },
    );
    expect(packed).toMatch(/unpack2x16float\(packed_inputs\[params\.offset_\w+ \+ u32\(/);
  });

  it('f16 storage at precision f32 is a SpecError', async () => {
    const graph = makeGraph({ y: matmul(input('x', [4, 8]), param('w', [8, 4])) });
    await expect(compile(graph, { device: await getTestDevice(), halfStorage: true })).rejects.toThrow(
      SpecError,
    );
  });

  it('tiny Llama forward, 12 tokens: logits', { timeout: 300_000 }, async () => {
    const { graph } = buildDecoderLmGraph(parseModelSpec(TINY_LLAMA).config, { mode: 'forward' });
    const tokens = [5, 17, 2, 40, 11, 9, 33, 1, 46, 20, 3, 28];
    await check(
      'tiny Llama',
      graph,
      { tokens: tensor64([1, tokens.length], tokens, 'i32') },
      {
        dims: { seq: tokens.length },
      },
    );
  });
});

describe('f16 storage on shader-f16 (array<f16> bindings)', async () => {
  const { device } = await getTestDevice();
  const hasF16 = device.features.has('shader-f16');
  if (!hasF16)
    console.warn('f16 storage (array<f16> bindings): skipped, the adapter has no `shader-f16` feature');
  it.skipIf(!hasF16)(
    'matmul chain, unfused, odd element counts: within budget',
    { timeout: 300_000 },
    async () => {
      const weft = await getTestDevice();
      const x = input('x', [33, 40]);
      const graph = makeGraph({
        y: matmul(elementwiseUnary('gelu', matmul(x, param('w1', [40, 57]))), param('w2', [57, 31])),
      });
      const params = Object.fromEntries(
        Object.entries(randomGraphParams(graph, 7, 1)).map(([name, t]) => [name, toF16(t)]),
      );
      const inputs = { x: toF16(randomTensor([33, 40], { seed: 3, min: -2, max: 2 })) };
      const exact = interpret(graph, { inputs, params, dims: {} }).y!;
      const program = await compile(graph, {
        device: weft,
        params: dataOf(params),
        precision: 'f16',
        halfStorage: true,
        fuse: false,
      });
      try {
        expect(program.kernels.map((kernel) => kernel.wgsl).join('\n')).toContain('array<f16>');
        const { y } = await runTwice(program, inputs, {});
        const error = relativeError(y!, exact);
        results['shader-f16 matmul chain y'] = error.toExponential(2);
        expect(error).toBeLessThan(F16_BUDGET);
      } finally {
        program.destroy();
      }
    },
  );
  it.skipIf(!hasF16)(
    'tiny Llama logits at precision f16: f16 storage of intermediates and weights by default',
    { timeout: 300_000 },
    async () => {
      const weft = await getTestDevice();
      const { graph } = buildDecoderLmGraph(parseModelSpec(TINY_LLAMA).config, { mode: 'forward' });
      const tokens = [5, 17, 2, 40, 11, 9, 33, 1, 46, 20, 3, 28];
      const params = Object.fromEntries(
        Object.entries(randomGraphParams(graph, 7, 0.5)).map(([name, t]) => [name, toF16(t)]),
      );
      const inputs = { tokens: tensor64([1, tokens.length], tokens, 'i32') };
      const dims = { seq: tokens.length };
      const exact = interpret(graph, { inputs, params, dims }).logits!;
      // No `halfStorage`: precision f16 turns it on.
      const program = await compile(graph, {
        device: weft,
        extensions: [attention],
        params: dataOf(params),
        precision: 'f16',
      });
      try {
        const slots = [...program.memory.slots.values()];
        expect(slots.filter((slot) => slot.role === 'param').every((slot) => slot.halfStored)).toBe(true);
        expect(program.kernels.map((kernel) => kernel.wgsl).join('\n')).toContain('array<f16>');
        const { logits } = await runTwice(program, inputs, dims);
        const error = relativeError(logits!, exact);
        results['shader-f16 tiny Llama logits'] = error.toExponential(2);
        expect(error).toBeLessThan(F16_BUDGET);
      } finally {
        program.destroy();
      }
    },
  );
});
