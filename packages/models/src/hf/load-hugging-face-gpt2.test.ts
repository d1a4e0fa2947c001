import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interpret, tensor64 } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { afterAll, describe, expect, it } from 'vitest';
import { compileModel } from '../model/compile-model.js';
import { buildModelGraph } from '../model/model-definition.js';
import { decodeVersusRecompute } from '../testing/decode-versus-recompute.js';
import {
  type Gpt2CheckpointFiles,
  gpt2ForwardFloat64,
  type TinyHuggingFaceGpt2Options,
  tinyHuggingFaceGpt2,
} from '../testing/index.js';
import { writeSafetensors } from '../weights/safetensors.js';
import { loadHuggingFaceModel } from './load-hugging-face-model.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function writeCheckpoint(files: Gpt2CheckpointFiles['files']): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-hf-gpt2-'));
  dirs.push(dir);
  for (const [name, contents] of Object.entries(files)) await writeFile(join(dir, name), contents);
  return dir;
}

const PROMPT = [3, 17, 5, 29, 1, 38, 12, 7, 22, 0];

describe.each<[string, TinyHuggingFaceGpt2Options]>([
  ['GPT2Model names, F32, with the causal-mask buffers', { maskBuffers: true }],
  ['transformer. names, BF16, two shards', { prefixed: true, dtype: 'BF16', shards: 2, seed: 4 }],
  [
    'exact gelu, n_inner, untied head, scores scaled by 1/(layer + 1), F16',
    {
      dtype: 'F16',
      seed: 9,
      prefixed: true,
      config: {
        activation_function: 'gelu',
        n_inner: 48,
        tie_word_embeddings: false,
        scale_attn_by_inverse_layer_idx: true,
        n_layer: 3,
      },
    },
  ],
  ['no score scaling (scale_attn_weights false)', { seed: 5, config: { scale_attn_weights: false } }],
])('loadHuggingFaceModel: a tiny GPT-2 checkpoint, %s', (label, options) => {
  it('gives the logits of the float64 GPT-2 forward; decoding with the KV cache equals recomputing (CPU)', async () => {
    const checkpoint = tinyHuggingFaceGpt2(options);
    const hf = await loadHuggingFaceModel(await writeCheckpoint(checkpoint.files));
    expect(hf.modelType).toBe('gpt2');
    expect(hf.spec.schemaVersion).toBe(2);
    const model = await compileModel(hf.spec, { device: 'cpu', weights: hf.weights });
    try {
      const vocab = checkpoint.config.vocab_size;
      const dense = gpt2ForwardFloat64(checkpoint.config, checkpoint.tensors, PROMPT);
      // Both float64 over the same float32 weights: they differ only by float64 rounding.
      const reference = model.referenceLogits(PROMPT);
      expect(relativeError(reference, dense.subarray((PROMPT.length - 1) * vocab))).toBeLessThan(1e-12);
      // The CPU program computes in f32: its error is that of the same graph interpreted in f32
      // (docs/guides/error-budget.md: within 2× of it, floor 1.2e-7), and under 1e-5 normwise.
      const { data } = await model.run(PROMPT);
      const { graph } = buildModelGraph(hf.spec, { mode: 'forward' });
      const single = interpret(graph, {
        inputs: { tokens: tensor64([1, PROMPT.length], PROMPT, 'i32') },
        params: hf.weights,
        dims: { seq: PROMPT.length },
        precision: 'f32',
      }).logits!.data;
      const cpuProgram = relativeError(data, dense);
      const f32Graph = relativeError(single, dense);
      console.info(
        `HF tiny GPT-2 (${label}): CPU program err ${cpuProgram.toExponential(2)}, f32 graph err ${f32Graph.toExponential(2)}`,
      );
      expect(cpuProgram).toBeLessThanOrEqual(2 * Math.max(f32Graph, 1.2e-7));
      expect(cpuProgram).toBeLessThan(1e-5);

      for (const error of await decodeVersusRecompute(model, PROMPT, 4)) expect(error).toBeLessThan(1e-5);
    } finally {
      model.destroy();
    }
  });
});

describe('loadHuggingFaceModel: GPT-2 checks before reading data', () => {
  function filesWith(edit: (tensors: Map<string, { shape: readonly number[]; data: Float64Array }>) => void) {
    const checkpoint = tinyHuggingFaceGpt2({ prefixed: true });
    const tensors = new Map(checkpoint.tensors);
    edit(tensors);
    const toWrite = new Map(
      [...tensors].map(([name, tensor]) => [name, { dtype: 'F32' as const, ...tensor }]),
    );
    return {
      'config.json': checkpoint.files['config.json']!,
      'model.safetensors': writeSafetensors(toWrite),
    };
  }

  it('names missing and unexpected tensors as the checkpoint names them', async () => {
    const dir = await writeCheckpoint(
      filesWith((tensors) => {
        tensors.delete('transformer.h.1.mlp.c_fc.bias');
        tensors.set('transformer.h.0.attn.q_proj.weight', { shape: [32, 32], data: new Float64Array(1024) });
      }),
    );
    const failure = loadHuggingFaceModel(dir);
    await expect(failure).rejects.toThrow('transformer.h.1.mlp.c_fc.bias is missing');
    await expect(failure).rejects.toThrow(
      'transformer.h.0.attn.q_proj.weight is not a tensor of this model (unexpected)',
    );
  });

  it('refuses a c_attn weight stored as a Linear ([out, in]) instead of a Conv1D ([in, out])', async () => {
    const dir = await writeCheckpoint(
      filesWith((tensors) => {
        const name = 'transformer.h.0.attn.c_attn.weight';
        tensors.set(name, { shape: [96, 32], data: tensors.get(name)!.data });
      }),
    );
    await expect(loadHuggingFaceModel(dir)).rejects.toThrow(
      'transformer.h.0.attn.c_attn.weight has shape [96, 32], expected [32, 96]',
    );
  });
});
