import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileModel } from '../model/compile-model.js';
import { decodeVersusRecompute } from '../testing/decode-versus-recompute.js';
import {
  decoderForwardFloat64,
  type TinyDecoderCheckpoint,
  type TinyDecoderFamily,
  type TinyHuggingFaceDecoderOptions,
  tinyHuggingFaceDecoder,
} from '../testing/index.js';
import { writeSafetensors } from '../weights/safetensors.js';
import { loadHuggingFaceModel } from './load-hugging-face-model.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function writeCheckpoint(files: TinyDecoderCheckpoint['files']): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-hf-decoder-'));
  dirs.push(dir);
  for (const [name, contents] of Object.entries(files)) await writeFile(join(dir, name), contents);
  return dir;
}

// Longer than every sliding window of the tiny configs (5 keys for Qwen2, 4 for Gemma 2).
const PROMPT = [3, 17, 5, 29, 1, 38, 12, 7, 22];

/** Largest |a − b| over all positions. */
function maxError(reference: Float64Array, logits: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < reference.length; i++) worst = Math.max(worst, Math.abs(reference[i]! - logits[i]!));
  return worst;
}

describe.each<[TinyDecoderFamily, string, TinyHuggingFaceDecoderOptions]>([
  ['qwen2', 'one F32 file', {}],
  ['qwen3', 'BF16, three shards', { dtype: 'BF16', shards: 3, seed: 4 }],
  ['gemma2', 'F16, two shards', { dtype: 'F16', shards: 2, seed: 5 }],
  ['qwen3', 'attention_bias (q, k, v, o biases), F32', { seed: 6, config: { attention_bias: true } }],
  [
    'gemma2',
    'attention_bias (q, k, v, o biases), BF16',
    { dtype: 'BF16', seed: 7, config: { attention_bias: true } },
  ],
])('loadHuggingFaceModel: a tiny %s checkpoint, %s', (family, _, options) => {
  it("gives the logits of transformers' forward pass (float64 reference path, CPU float32 program)", async () => {
    const checkpoint = tinyHuggingFaceDecoder(family, options);
    const hf = await loadHuggingFaceModel(await writeCheckpoint(checkpoint.files));
    expect(hf.modelType).toBe(family);
    expect(hf.spec.schemaVersion).toBe(2);
    const model = await compileModel(hf.spec, { device: 'cpu', weights: hf.weights });
    try {
      const vocab = checkpoint.config.vocab_size;
      const dense = decoderForwardFloat64(checkpoint.config, checkpoint.tensors, PROMPT);
      const last = dense.subarray((PROMPT.length - 1) * vocab);
      // Both float64 over the same float32 weights: they differ only by float64 rounding.
      expect(maxError(last, model.referenceLogits(PROMPT))).toBeLessThan(1e-10);
      // The CPU program computes in float32 (the f32 rule is checked on the device).
      const { data } = await model.run(PROMPT);
      const error = maxError(dense, data) / Math.max(...dense.map(Math.abs));
      console.info(`HF tiny ${family} (CPU float32 program): normwise error ${error.toExponential(2)}`);
      expect(error).toBeLessThan(1e-5);
    } finally {
      model.destroy();
    }
  });
});

describe('loadHuggingFaceModel: the features of each family change the logits', () => {
  it.each<[TinyDecoderFamily, Record<string, unknown>]>([
    ['qwen2', { use_sliding_window: false }],
    ['gemma2', { sliding_window: null }],
    ['gemma2', { attn_logit_softcapping: null }],
    ['gemma2', { final_logit_softcapping: null }],
    ['gemma2', { query_pre_attn_scalar: 12 }],
  ])('%s with %o differs from the tiny config', async (family, change) => {
    const checkpoint = tinyHuggingFaceDecoder(family);
    const changed = { ...checkpoint.config, ...change };
    const dense = decoderForwardFloat64(checkpoint.config, checkpoint.tensors, PROMPT);
    const other = decoderForwardFloat64(changed, checkpoint.tensors, PROMPT);
    expect(maxError(dense, other)).toBeGreaterThan(1e-3);
    const hf = await loadHuggingFaceModel(
      await writeCheckpoint({ ...checkpoint.files, 'config.json': JSON.stringify(changed) }),
    );
    const model = await compileModel(hf.spec, { device: 'cpu', weights: hf.weights });
    try {
      const last = other.subarray(other.length - changed.vocab_size);
      expect(maxError(last, model.referenceLogits(PROMPT))).toBeLessThan(1e-10);
    } finally {
      model.destroy();
    }
  });
});

describe('loadHuggingFaceModel: Gemma 2 generation', () => {
  it('decoding with the KV cache equals recomputing the prefix (sliding windows, softcaps; CPU)', async () => {
    const checkpoint = tinyHuggingFaceDecoder('gemma2', { seed: 9 });
    const hf = await loadHuggingFaceModel(await writeCheckpoint(checkpoint.files));
    const model = await compileModel(hf.spec, { device: 'cpu', weights: hf.weights });
    try {
      const errors = await decodeVersusRecompute(model, PROMPT, 3);
      expect(errors).toHaveLength(PROMPT.length - 2);
      for (const error of errors) expect(error).toBeLessThan(1e-6);
    } finally {
      model.destroy();
    }
  });
});

describe('loadHuggingFaceModel: decoder checkpoints checked before reading data', () => {
  it('names missing and unexpected tensors as the checkpoint names them, with the file of the unexpected ones', async () => {
    const checkpoint = tinyHuggingFaceDecoder('gemma2');
    const tensors = new Map(
      [...checkpoint.tensors]
        .filter(([name]) => name !== 'model.layers.2.pre_feedforward_layernorm.weight')
        .map(([name, tensor]) => [name, { dtype: 'F32' as const, ...tensor }]),
    );
    tensors.set('model.layers.0.self_attn.q_norm.weight', {
      dtype: 'F32',
      shape: [12],
      data: new Float64Array(12),
    });
    const dir = await writeCheckpoint({
      'config.json': checkpoint.files['config.json']!,
      'model.safetensors': writeSafetensors(tensors),
    });
    const failure = loadHuggingFaceModel(dir);
    await expect(failure).rejects.toThrow('model.layers.2.pre_feedforward_layernorm.weight is missing');
    await expect(failure).rejects.toThrow(
      'model.layers.0.self_attn.q_norm.weight is not a tensor of this model (unexpected), in model.safetensors',
    );
  });

  it('reads attention_bias of Qwen3 and Gemma 2: all four biases are required, and they change the logits', async () => {
    for (const family of ['qwen3', 'gemma2'] as const) {
      const biased = tinyHuggingFaceDecoder(family, { config: { attention_bias: true } });
      expect(biased.tensors.has('model.layers.1.self_attn.o_proj.bias')).toBe(true);
      const zeroed = new Map(
        [...biased.tensors].map(([name, tensor]) => [
          name,
          name.endsWith('_proj.bias') ? { ...tensor, data: new Float64Array(tensor.data.length) } : tensor,
        ]),
      );
      const withBiases = decoderForwardFloat64(biased.config, biased.tensors, PROMPT);
      expect(maxError(withBiases, decoderForwardFloat64(biased.config, zeroed, PROMPT))).toBeGreaterThan(
        1e-3,
      );
      // Without the o_proj biases in the file: named as the checkpoint names them.
      const withoutOutputBias = new Map(
        [...biased.tensors]
          .filter(([name]) => !name.endsWith('o_proj.bias'))
          .map(([name, tensor]) => [name, { dtype: 'F32' as const, ...tensor }]),
      );
      const dir = await writeCheckpoint({
        'config.json': biased.files['config.json']!,
        'model.safetensors': writeSafetensors(withoutOutputBias),
      });
      await expect(loadHuggingFaceModel(dir)).rejects.toThrow(
        'model.layers.0.self_attn.o_proj.bias is missing',
      );
      // Biases in the file while config.json says attention_bias false: unexpected.
      const plain = JSON.stringify({ ...biased.config, attention_bias: false });
      await expect(
        loadHuggingFaceModel(await writeCheckpoint({ ...biased.files, 'config.json': plain })),
      ).rejects.toThrow('model.layers.0.self_attn.q_proj.bias is not a tensor of this model (unexpected)');
    }
  });

  it('checks the Qwen2 biases and the Qwen3 norms against config.json', async () => {
    const qwen2 = tinyHuggingFaceDecoder('qwen2', { shards: 2 });
    const wider = JSON.stringify({ ...qwen2.config, num_key_value_heads: 4 });
    await expect(
      loadHuggingFaceModel(await writeCheckpoint({ ...qwen2.files, 'config.json': wider })),
    ).rejects.toThrow('model.layers.0.self_attn.k_proj.bias has shape [16], expected [32]');
    const qwen3 = tinyHuggingFaceDecoder('qwen3');
    const narrower = JSON.stringify({ ...qwen3.config, head_dim: 8 });
    await expect(
      loadHuggingFaceModel(await writeCheckpoint({ ...qwen3.files, 'config.json': narrower })),
    ).rejects.toThrow('model.layers.0.self_attn.q_norm.weight has shape [16], expected [8]');
  });
});
