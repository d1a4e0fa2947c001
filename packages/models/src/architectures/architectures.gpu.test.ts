import { attention } from '@weft/attention/kernels';
import { type Graph, graphNodes, interpret, type Tensor64, tensor64 } from '@weft/ir';
import { randomIndices, randomTensor, relativeError } from '@weft/ir/test';
import { compile } from '@weft/runtime';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { randomGraphParams } from '../testing/random-graph-params.js';
import {
  TINY_DIT,
  TINY_ENCODER,
  TINY_ENCODER_DECODER,
  TINY_VIT,
  TINY_VIT_ROPE,
} from '../testing/tiny-architectures.js';
import { denseDit, denseEncoder, denseEncoderDecoder, denseVit } from './dense-architectures.test-support.js';
import { buildDitGraph } from './dit.js';
import { buildEncoderGraph } from './encoder.js';
import { buildEncoderDecoderGraph } from './encoder-decoder.js';
import { buildVitGraph } from './vit.js';

// The four architectures on the device, from their TS definitions: the f32 budget rule of
// docs/guides/error-budget.md (device error ≤ 2 × the same graph evaluated in f32 on the CPU,
// both against float64, floor 1.2e-7), and the device output against a dense float64 forward
// written with plain loops (dense-architectures.test-support.ts). Fresh seeded random inputs and
// parameters; outputs are poisoned before every run.
const FLOOR = 1.2e-7;
const rows: string[] = [];
afterAll(() => console.info(`architectures on the device:\n${rows.join('\n')}`));

const f32 = (params: Record<string, Tensor64>) =>
  Object.fromEntries(Object.entries(params).map(([name, t]) => [name, Float32Array.from(t.data)]));
const dataOf = (params: Record<string, Tensor64>) =>
  Object.fromEntries(Object.entries(params).map(([name, t]) => [name, t.data]));

interface Check {
  readonly label: string;
  readonly graph: Graph;
  readonly params: Record<string, Tensor64>;
  readonly inputs: Record<string, Tensor64>;
  readonly dims?: Record<string, number>;
  /** Output name → the dense float64 forward's values (absent: no independent check). */
  readonly dense?: Record<string, ArrayLike<number>>;
}

async function checkOnDevice(check: Check): Promise<void> {
  const { graph, params, inputs } = check;
  const dims = check.dims ?? {};
  const exact = interpret(graph, { inputs, params, dims });
  const single = interpret(graph, { inputs, params, dims, precision: 'f32' });
  const program = await compile(graph, {
    device: await getTestDevice(),
    extensions: [attention],
    params: f32(params),
  });
  try {
    const feeds = Object.fromEntries(
      Object.entries(inputs).map(([name, t]) => [
        name,
        t.dtype === 'i32' ? Int32Array.from(t.data) : Float32Array.from(t.data),
      ]),
    );
    const result = await program.run(feeds, { dims, poisonOutputs: true });
    for (const output of Object.keys(graph.outputs)) {
      const actual = result[output]!.data;
      const kernel = relativeError(actual, exact[output]!.data);
      const cpu = relativeError(single[output]!.data, exact[output]!.data);
      const dense = check.dense?.[output];
      const independent = dense === undefined ? undefined : relativeError(actual, dense);
      rows.push(
        `${check.label} ${output}: ${program.kernels.length} kernels, vs float64 ${kernel.toExponential(2)} (CPU f32 ${cpu.toExponential(2)})` +
          (independent === undefined ? '' : `, vs dense float64 ${independent.toExponential(2)}`),
      );
      expect(kernel).toBeLessThanOrEqual(2 * Math.max(cpu, FLOOR));
      if (independent !== undefined)
        expect(independent).toBeLessThanOrEqual(2 * Math.max(cpu, FLOOR) + 1e-12);
    }
  } finally {
    program.destroy();
  }
}

describe('architectures on the device within the f32 budget rule', () => {
  it('encoder (BERT style: post-norm, padding mask, token types, pooler)', async () => {
    const graph = buildEncoderGraph(TINY_ENCODER, { batch: 2 });
    const params = randomGraphParams(graph, 21);
    const tokens = [Array.from(randomIndices([12], 40, 3).data), Array.from(randomIndices([12], 40, 4).data)];
    const types = tokens.map((row) => row.map((_, i) => (i < 7 ? 0 : 1)));
    const lengths = [12, 5];
    const dense = denseEncoder(TINY_ENCODER, dataOf(params), tokens, types, lengths);
    await checkOnDevice({
      label: 'encoder',
      graph,
      params,
      inputs: {
        tokens: tensor64([2, 12], tokens.flat(), 'i32'),
        tokenTypes: tensor64([2, 12], types.flat(), 'i32'),
        lengths: tensor64([2], lengths, 'i32'),
      },
      dims: { seq: 12 },
      dense,
    });
  });

  it('ViT (conv patches, class token, learned positions)', async () => {
    const graph = buildVitGraph(TINY_VIT, { batch: 2 });
    const params = randomGraphParams(graph, 22);
    const pixels = randomTensor([2, 3, 8, 12], { seed: 23, min: -1, max: 1 });
    await checkOnDevice({
      label: 'vit',
      graph,
      params,
      inputs: { pixels },
      dense: { logits: denseVit(TINY_VIT, dataOf(params), pixels.data, 2) },
    });
  });

  it('ViT with 2-D RoPE and mean pooling', async () => {
    const graph = buildVitGraph(TINY_VIT_ROPE);
    const params = randomGraphParams(graph, 24);
    await checkOnDevice({
      label: 'vit rope2d',
      graph,
      params,
      inputs: { pixels: randomTensor([1, 3, 8, 12], { seed: 25, min: -1, max: 1 }) },
    });
  });

  it('DiT blocks (timestep embedding, adaLN-Zero, final adaLN)', async () => {
    const graph = buildDitGraph(TINY_DIT, { batch: 2 });
    const params = randomGraphParams(graph, 26);
    const x = randomTensor([2, 8, 12], { seed: 27, min: -1, max: 1 });
    const timesteps = [7, 731];
    await checkOnDevice({
      label: 'dit',
      graph,
      params,
      inputs: { x, timestep: tensor64([2], timesteps) },
      dense: { output: denseDit(TINY_DIT, dataOf(params), x.data, timesteps) },
    });
  });

  it('encoder–decoder (teacher forcing)', async () => {
    const { graph } = buildEncoderDecoderGraph(TINY_ENCODER_DECODER, { mode: 'forward' });
    const params = randomGraphParams(graph, 28);
    const source = Array.from(randomIndices([11], 40, 5).data);
    const target = Array.from(randomIndices([9], 48, 6).data);
    await checkOnDevice({
      label: 'encoder-decoder',
      graph,
      params,
      inputs: { source: tensor64([1, 11], source, 'i32'), target: tensor64([1, 9], target, 'i32') },
      dims: { sourceSeq: 11, seq: 9 },
      dense: { logits: denseEncoderDecoder(TINY_ENCODER_DECODER, dataOf(params), [source], [target]) },
    });
  });

  it('encoder–decoder: decoding with the self-attention KV cache equals recomputing the prefix', async () => {
    const definition = TINY_ENCODER_DECODER;
    const forward = buildEncoderDecoderGraph(definition, { mode: 'forward' });
    const encode = buildEncoderDecoderGraph(definition, { mode: 'encode' });
    const step = buildEncoderDecoderGraph(definition, { mode: 'step' });
    const params = f32(randomGraphParams(forward.graph, 29));
    const device = await getTestDevice();
    // Each program binds only the parameters its graph reads.
    const own = (graph: Graph) => {
      const names = new Set(
        graphNodes(graph).flatMap((n) => (n.op === 'param' ? [String(n.attrs.name)] : [])),
      );
      return Object.fromEntries(Object.entries(params).filter(([name]) => names.has(name)));
    };
    const common = { device, extensions: [attention] };
    const encodeProgram = await compile(encode.graph, { ...common, params: own(encode.graph) });
    const forwardProgram = await compile(forward.graph, { ...common, params });
    const stepProgram = await compile(step.graph, { ...common, params: own(step.graph), state: step.state });
    const source = Int32Array.from(randomIndices([10], 40, 7).data);
    const target = Array.from(randomIndices([12], 48, 8).data);
    const prompt = 4;
    const vocab = definition.targetVocabSize;
    try {
      const memory = (await encodeProgram.run({ source }, { dims: { sourceSeq: 10 }, poisonOutputs: true }))
        .memory!.data;
      stepProgram.resetState();
      const errors: number[] = [];
      for (let length = prompt; length <= target.length; length++) {
        const fresh = length === prompt ? target.slice(0, prompt) : [target[length - 1]!];
        const stepped = await stepProgram.run(
          {
            memory: Float32Array.from(memory),
            target: Int32Array.from(fresh),
            past: Int32Array.of(length - fresh.length),
          },
          { dims: { sourceSeq: 10, seq: fresh.length }, outputs: ['logits'], poisonOutputs: true },
        );
        const full = await forwardProgram.run(
          { source, target: Int32Array.from(target.slice(0, length)) },
          { dims: { sourceSeq: 10, seq: length }, poisonOutputs: true },
        );
        const last = full.logits!.data.subarray((length - 1) * vocab, length * vocab);
        errors.push(relativeError(stepped.logits!.data, last));
      }
      rows.push(
        `encoder-decoder step: ${stepProgram.kernels.length} kernels per step (encode ${encodeProgram.kernels.length}), step vs recompute max ${Math.max(...errors).toExponential(2)}`,
      );
      expect(errors).toHaveLength(target.length - prompt + 1);
      for (const error of errors) expect(error).toBeLessThan(1e-5);
    } finally {
      encodeProgram.destroy();
      forwardProgram.destroy();
      stepProgram.destroy();
    }
  });
});
