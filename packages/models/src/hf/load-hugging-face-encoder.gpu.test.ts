import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attention } from '@weft/attention/kernels';
import { type Graph, interpret, type Tensor64, tensor64 } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { compile } from '@weft/runtime';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bertModelForwardFloat64,
  type EncoderForwardOutputs,
  tinyHuggingFaceBert,
  tinyHuggingFaceVit,
  vitModelForwardFloat64,
} from '../testing/index.js';
import { buildHuggingFaceEncoderGraph } from './hf-encoder-architecture.js';
import { loadHuggingFaceEncoder } from './load-hugging-face-encoder.js';

// Hugging Face-layout BERT and ViT checkpoints on the device, against BertModel's and ViTModel's
// forwards written out in float64 from the modeling code. The f32 budget rule of
// docs/guides/error-budget.md: the device's error (relative to the dense float64 forward) is at
// most 2 × the error of the same graph evaluated in f32 on the CPU, floor 1.2e-7.
const FLOOR = 1.2e-7;
// Compiling the kernels on the software adapter takes minutes on a loaded machine.
const TIMEOUT_MS = 600_000;
const rows: string[] = [];
const dirs: string[] = [];
afterAll(async () => {
  console.info(`Hugging Face encoders on the device:\n${rows.join('\n')}`);
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function writeDirectory(files: Readonly<Record<string, string | Uint8Array>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-hf-encoder-gpu-'));
  dirs.push(dir);
  for (const [name, contents] of Object.entries(files)) await writeFile(join(dir, name), contents);
  return dir;
}

async function checkOnDevice(
  label: string,
  graph: Graph,
  weights: Record<string, Float32Array>,
  inputs: Record<string, Tensor64>,
  dims: Record<string, number>,
  exact: EncoderForwardOutputs,
): Promise<void> {
  const single = interpret(graph, { inputs, params: weights, dims, precision: 'f32' });
  const program = await compile(graph, {
    device: await getTestDevice(),
    params: weights,
    extensions: [attention],
  });
  try {
    expect(program.backend).toBe('webgpu');
    const feeds = Object.fromEntries(
      Object.entries(inputs).map(([name, t]) => [
        name,
        t.dtype === 'i32' ? Int32Array.from(t.data) : Float32Array.from(t.data),
      ]),
    );
    const result = await program.run(feeds, { dims, poisonOutputs: true });
    const expected: Record<string, Float64Array | undefined> = {
      hidden: exact.lastHiddenState,
      pooled: exact.poolerOutput,
    };
    expect(Object.keys(graph.outputs).sort()).toEqual(['hidden', 'pooled']);
    for (const output of ['hidden', 'pooled']) {
      const reference = expected[output]!;
      const device = relativeError(result[output]!.data, reference);
      const cpu = relativeError(single[output]!.data, reference);
      rows.push(
        `${label} ${output}: ${program.kernels.length} kernels per forward, device vs float64 HF ${device.toExponential(2)} (CPU f32 ${cpu.toExponential(2)}, ratio ${(device / Math.max(cpu, FLOOR)).toFixed(2)})`,
      );
      expect(device).toBeLessThanOrEqual(2 * Math.max(cpu, FLOOR));
    }
  } finally {
    program.destroy();
  }
}

describe('Hugging Face encoders on the device', () => {
  it(
    'tiny BERT (BertForMaskedLM checkpoint, BF16, 2 shards): padded batch of 2, hidden and pooled',
    async () => {
      const checkpoint = tinyHuggingFaceBert({ taskModel: true, dtype: 'BF16', shards: 2, seed: 11 });
      const hf = await loadHuggingFaceEncoder(await writeDirectory(checkpoint.files));
      const ids = [
        [2, 17, 5, 29, 1, 38, 12, 7, 22, 9],
        [2, 31, 9, 14, 3, 25, 0, 0, 0, 0],
      ];
      const types = ids.map((row) => row.map((_, i) => (i < 4 ? 0 : 1)));
      const lengths = [10, 6];
      const mask = lengths.map((length) => ids[0]!.map((_, i) => (i < length ? 1 : 0)));
      const exact = bertModelForwardFloat64(
        checkpoint.config,
        checkpoint.tensors,
        { inputIds: ids, tokenTypeIds: types, attentionMask: mask },
        checkpoint.prefix,
      );
      await checkOnDevice(
        'BERT',
        buildHuggingFaceEncoderGraph(hf, { batch: 2 }),
        hf.weights,
        {
          tokens: tensor64([2, 10], ids.flat(), 'i32'),
          tokenTypes: tensor64([2, 10], types.flat(), 'i32'),
          lengths: tensor64([2], lengths, 'i32'),
        },
        { seq: 10 },
        exact,
      );
    },
    TIMEOUT_MS,
  );

  it(
    'tiny ViT (ViTModel, F16): batch of 2 images 8×12, hidden and pooled',
    async () => {
      const checkpoint = tinyHuggingFaceVit({ dtype: 'F16', seed: 12 });
      const hf = await loadHuggingFaceEncoder(await writeDirectory(checkpoint.files));
      const pixels = randomTensor([2, 3, 8, 12], { seed: 13, min: -1, max: 1 });
      const exact = vitModelForwardFloat64(
        checkpoint.config,
        checkpoint.tensors,
        pixels.data,
        2,
        checkpoint.prefix,
      );
      await checkOnDevice(
        'ViT',
        buildHuggingFaceEncoderGraph(hf, { batch: 2 }),
        hf.weights,
        { pixels },
        {},
        exact,
      );
    },
    TIMEOUT_MS,
  );
});
