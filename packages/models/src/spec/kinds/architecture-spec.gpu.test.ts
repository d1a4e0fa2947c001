import { attention } from '@weft/attention/kernels';
import { type Graph, interpret, type Tensor64, tensor64 } from '@weft/ir';
import { randomIndices, randomTensor, relativeError } from '@weft/ir/test';
import { compile } from '@weft/runtime';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import {
  denseDit,
  denseEncoder,
  denseEncoderDecoder,
  denseVit,
} from '../../architectures/dense-architectures.test-support.js';
import { buildArchitectureGraph } from '../../model/architecture-graph.js';
import { randomGraphParams } from '../../testing/random-graph-params.js';
import {
  TINY_DIT_SPEC,
  TINY_ENCODER_DECODER_SPEC,
  TINY_ENCODER_SPEC,
  TINY_VIT_SPEC,
} from '../../testing/tiny-architecture-specs.js';
import {
  TINY_DIT_CLASSES,
  TINY_ENCODER,
  TINY_ENCODER_DECODER,
  TINY_VIT,
} from '../../testing/tiny-architectures.js';
import { parseArchitectureSpec } from './architecture-spec.js';

// The four example specs (apps/cli/examples/*.json) from JSON to the device: the device output
// against an independent dense float64 forward written with plain loops, within the f32 budget
// rule of docs/guides/error-budget.md (≤ 2 × the same graph evaluated in f32 on the CPU, both
// against float64, floor 1.2e-7). Fresh seeded random inputs and parameters; poisoned outputs.
const FLOOR = 1.2e-7;
// SwiftShader on a loaded machine takes minutes for the encoder–decoder's 31 kernels.
const TIMEOUT_MS = 600_000;
const rows: string[] = [];
afterAll(() => console.info(`architecture specs on the device:\n${rows.join('\n')}`));

const dataOf = (params: Record<string, Tensor64>) =>
  Object.fromEntries(Object.entries(params).map(([name, t]) => [name, t.data]));

async function check(
  label: string,
  graph: Graph,
  params: Record<string, Tensor64>,
  inputs: Record<string, Tensor64>,
  dense: Record<string, ArrayLike<number>>,
  dims: Record<string, number> = {},
): Promise<void> {
  const single = interpret(graph, { inputs, params, dims, precision: 'f32' });
  const program = await compile(graph, {
    device: await getTestDevice(),
    extensions: [attention],
    params: Object.fromEntries(Object.entries(params).map(([name, t]) => [name, Float32Array.from(t.data)])),
  });
  try {
    const feeds = Object.fromEntries(
      Object.entries(inputs).map(([name, t]) => [
        name,
        t.dtype === 'i32' ? Int32Array.from(t.data) : Float32Array.from(t.data),
      ]),
    );
    const result = await program.run(feeds, { dims, poisonOutputs: true });
    for (const [output, expected] of Object.entries(dense)) {
      const error = relativeError(result[output]!.data, expected);
      const cpu = relativeError(single[output]!.data, expected);
      rows.push(
        `${label} ${output}: ${program.kernels.length} kernels, vs dense float64 ${error.toExponential(2)} (CPU f32 ${cpu.toExponential(2)})`,
      );
      expect(error).toBeLessThanOrEqual(2 * Math.max(cpu, FLOOR));
    }
  } finally {
    program.destroy();
  }
}

describe('the example architecture specs on the device vs dense float64 forwards', () => {
  it(
    'encoder',
    async () => {
      const graph = buildArchitectureGraph(parseArchitectureSpec(TINY_ENCODER_SPEC), { batch: 2 });
      const params = randomGraphParams(graph, 31);
      const tokens = [
        Array.from(randomIndices([10], 40, 32).data),
        Array.from(randomIndices([10], 40, 33).data),
      ];
      const types = tokens.map((row) => row.map((_, i) => (i < 4 ? 0 : 1)));
      const lengths = [10, 6];
      const { hidden, pooled } = denseEncoder(TINY_ENCODER, dataOf(params), tokens, types, lengths);
      const inputs = {
        tokens: tensor64([2, 10], tokens.flat(), 'i32'),
        tokenTypes: tensor64([2, 10], types.flat(), 'i32'),
        lengths: tensor64([2], lengths, 'i32'),
      };
      await check('encoder', graph, params, inputs, { hidden, pooled }, { seq: 10 });
    },
    TIMEOUT_MS,
  );

  it('vit', async () => {
    const graph = buildArchitectureGraph(parseArchitectureSpec(TINY_VIT_SPEC));
    const params = randomGraphParams(graph, 34);
    const pixels = randomTensor([1, 3, 8, 12], { seed: 35, min: -1, max: 1 });
    await check(
      'vit',
      graph,
      params,
      { pixels },
      { logits: denseVit(TINY_VIT, dataOf(params), pixels.data, 1) },
    );
  });

  it(
    'dit (timestep and class labels, adaLN-Zero)',
    async () => {
      const graph = buildArchitectureGraph(parseArchitectureSpec(TINY_DIT_SPEC), { batch: 2 });
      const params = randomGraphParams(graph, 36);
      const x = randomTensor([2, 8, 12], { seed: 37, min: -1, max: 1 });
      const timesteps = [11, 873];
      const labels = [3, 9];
      const inputs = { x, timestep: tensor64([2], timesteps), classLabels: tensor64([2], labels, 'i32') };
      const output = denseDit(TINY_DIT_CLASSES, dataOf(params), x.data, timesteps, labels);
      await check('dit', graph, params, inputs, { output });
    },
    TIMEOUT_MS,
  );

  it(
    'encoder-decoder',
    async () => {
      const graph = buildArchitectureGraph(parseArchitectureSpec(TINY_ENCODER_DECODER_SPEC));
      const params = randomGraphParams(graph, 38);
      const source = Array.from(randomIndices([9], 40, 39).data);
      const target = Array.from(randomIndices([7], 48, 40).data);
      const inputs = { source: tensor64([1, 9], source, 'i32'), target: tensor64([1, 7], target, 'i32') };
      const logits = denseEncoderDecoder(TINY_ENCODER_DECODER, dataOf(params), [source], [target]);
      await check('encoder-decoder', graph, params, inputs, { logits }, { sourceSeq: 9, seq: 7 });
    },
    TIMEOUT_MS,
  );
});
