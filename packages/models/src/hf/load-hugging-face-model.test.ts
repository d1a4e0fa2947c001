import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileModel } from '../model/compile-model.js';
import {
  type HuggingFaceCheckpointFiles,
  llamaForwardFloat64,
  type TinyHuggingFaceLlamaOptions,
  tinyHuggingFaceLlama,
} from '../testing/index.js';
import { writeSafetensors } from '../weights/safetensors.js';
import { loadHuggingFaceModel } from './load-hugging-face-model.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function writeCheckpoint(checkpoint: HuggingFaceCheckpointFiles): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-hf-'));
  dirs.push(dir);
  for (const [name, contents] of Object.entries(checkpoint.files)) await writeFile(join(dir, name), contents);
  return dir;
}

const PROMPT = [3, 17, 5, 29, 1, 38, 12];

/** Largest |a − b| over the last position's logits. */
function maxLastRowError(reference: Float64Array, logits: ArrayLike<number>, vocab: number): number {
  const offset = reference.length - vocab;
  let worst = 0;
  for (let i = 0; i < vocab; i++) worst = Math.max(worst, Math.abs(reference[offset + i]! - logits[i]!));
  return worst;
}

describe.each<[string, TinyHuggingFaceLlamaOptions]>([
  ['one F32 file', {}],
  ['three F32 shards with an index', { shards: 3 }],
  ['BF16, tied embeddings', { dtype: 'BF16', config: { tie_word_embeddings: true } }],
  ['F16, two shards', { dtype: 'F16', shards: 2, seed: 7 }],
])('loadHuggingFaceModel: a tiny Llama checkpoint, %s', (_, options) => {
  it('gives the logits of the Hugging Face forward pass (float64 reference path and a dense float64 forward)', async () => {
    const checkpoint = tinyHuggingFaceLlama(options);
    const hf = await loadHuggingFaceModel(await writeCheckpoint(checkpoint));
    expect(hf.modelType).toBe('llama');
    expect(hf.spec.config).toMatchObject({ dModel: 32, heads: 4, kvHeads: 2, headDim: 8, maxSeq: 32 });
    const model = await compileModel(hf.spec, { device: 'cpu', weights: hf.weights });
    try {
      const vocab = checkpoint.config.vocab_size;
      const dense = llamaForwardFloat64(checkpoint.config, checkpoint.tensors, PROMPT);
      // Both float64 over the same float32 weights: they differ only by float64 rounding.
      expect(maxLastRowError(dense, model.referenceLogits(PROMPT), vocab)).toBeLessThan(1e-10);
      // The CPU program computes in float32.
      const { data } = await model.run(PROMPT);
      expect(maxLastRowError(dense, data.subarray((PROMPT.length - 1) * vocab), vocab)).toBeLessThan(1e-4);
    } finally {
      model.destroy();
    }
  });
});

describe('loadHuggingFaceModel: checks before reading data', () => {
  it('names missing and unexpected tensors as the checkpoint names them', async () => {
    const checkpoint = tinyHuggingFaceLlama();
    const tensors = new Map(
      [...checkpoint.tensors]
        .filter(([name]) => name !== 'model.layers.1.mlp.up_proj.weight')
        .map(([name, tensor]) => [name, { dtype: 'F32' as const, ...tensor }]),
    );
    tensors.set('model.layers.0.self_attn.q_proj.bias', {
      dtype: 'F32',
      shape: [32],
      data: new Float64Array(32),
    });
    const dir = await writeCheckpoint({
      ...checkpoint,
      files: {
        'config.json': checkpoint.files['config.json']!,
        'model.safetensors': writeSafetensors(tensors),
      },
    });
    const failure = loadHuggingFaceModel(dir);
    await expect(failure).rejects.toThrow('model.layers.1.mlp.up_proj.weight is missing');
    await expect(failure).rejects.toThrow(
      'model.layers.0.self_attn.q_proj.bias is not a tensor of this model (unexpected), in model.safetensors',
    );
  });

  it("skips the tensors that hold nothing the model reads: inv_freq buffers, a tied head's copy", async () => {
    const checkpoint = tinyHuggingFaceLlama({
      config: { model_type: 'mistral', sliding_window: 4096, tie_word_embeddings: true },
    });
    const tensors = new Map(
      [...checkpoint.tensors].map(([name, tensor]) => [name, { dtype: 'F32' as const, ...tensor }]),
    );
    tensors.set('lm_head.weight', { dtype: 'F32', ...checkpoint.tensors.get('model.embed_tokens.weight')! });
    tensors.set('model.layers.0.self_attn.rotary_emb.inv_freq', {
      dtype: 'F32',
      shape: [4],
      data: new Float64Array(4),
    });
    const dir = await writeCheckpoint({
      ...checkpoint,
      files: {
        'config.json': checkpoint.files['config.json']!,
        'model.safetensors': writeSafetensors(tensors),
      },
    });
    await writeFile(join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: [2, 5] }));
    const hf = await loadHuggingFaceModel(dir);
    expect(hf.modelType).toBe('mistral');
    expect(hf.eosTokenIds).toEqual([2, 5]);
    expect(Object.keys(hf.weights)).not.toContain('head.weight');
    expect(hf.spec.config.tieEmbeddings).toBe(true);
  });

  it('checks shapes against config.json', async () => {
    const checkpoint = tinyHuggingFaceLlama();
    const { 'config.json': config, ...weights } = checkpoint.files;
    const wider = JSON.stringify({ ...checkpoint.config, intermediate_size: 64 });
    const dir = await writeCheckpoint({ ...checkpoint, files: { ...weights, 'config.json': wider } });
    await expect(loadHuggingFaceModel(dir)).rejects.toThrow(
      'model.layers.0.mlp.gate_proj.weight has shape [48, 32], expected [64, 32]',
    );
    expect(config).toBeDefined();
  });

  it('says what is missing from a directory', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'weft-hf-'));
    dirs.push(empty);
    await expect(loadHuggingFaceModel(empty)).rejects.toThrow(
      /has no config\.json: not a Hugging Face model directory/,
    );
    await expect(loadHuggingFaceModel(join(empty, 'nope'))).rejects.toThrow(/is not a directory/);
    await writeFile(join(empty, 'config.json'), tinyHuggingFaceLlama().files['config.json']!);
    await expect(loadHuggingFaceModel(empty)).rejects.toThrow(
      /holds no weights: neither model\.safetensors nor model\.safetensors\.index\.json/,
    );
  });

  it('rejects an index whose shard does not hold the tensors it lists', async () => {
    const checkpoint = tinyHuggingFaceLlama({ shards: 2 });
    const index = JSON.parse(checkpoint.files['model.safetensors.index.json'] as string);
    index.weight_map['model.norm.weight'] =
      index.weight_map['model.norm.weight'] === 'model-00001-of-00002.safetensors'
        ? 'model-00002-of-00002.safetensors'
        : 'model-00001-of-00002.safetensors';
    const dir = await writeCheckpoint({
      ...checkpoint,
      files: { ...checkpoint.files, 'model.safetensors.index.json': JSON.stringify(index) },
    });
    await expect(loadHuggingFaceModel(dir)).rejects.toThrow(
      /"model\.norm\.weight" is not in the shard the index names/,
    );
    index.weight_map['model.norm.weight'] = '../elsewhere.safetensors';
    await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify(index));
    await expect(loadHuggingFaceModel(dir)).rejects.toThrow(
      /must name a \.safetensors file of the directory/,
    );
  });
});
