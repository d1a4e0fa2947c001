import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interpret, tensor64 } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { compileModel } from '../model/compile-model.js';
import { buildModelGraph } from '../model/model-definition.js';
import { decodeVersusRecompute } from '../testing/decode-versus-recompute.js';
import {
  decoderForwardFloat64,
  type TinyDecoderFamily,
  type TinyHuggingFaceDecoderOptions,
  tinyHuggingFaceDecoder,
} from '../testing/index.js';
import { loadHuggingFaceModel } from './load-hugging-face-model.js';

// Qwen2, Qwen3 and Gemma 2 checkpoints in the Hugging Face layout on the device, against
// transformers' forward passes written out in float64: the f32 budget rule of
// docs/guides/error-budget.md (device error ≤ 2 × the error of the same graph evaluated in f32 on
// the CPU, floor 1.2e-7), normwise over every position's logits.
// Longer than the sliding windows (5 keys for Qwen2, 4 for Gemma 2); decoding crosses them.
const PROMPT = [3, 17, 5, 29, 1, 38, 12];

/** The software adapter is slow: each family compiles two programs. */
const TIMEOUT_MS = 480_000;

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe.each<[TinyDecoderFamily, string, TinyHuggingFaceDecoderOptions]>([
  ['qwen2', 'F32', { seed: 2 }],
  ['qwen3', 'BF16', { dtype: 'BF16', seed: 3 }],
  ['gemma2', 'BF16, two shards', { dtype: 'BF16', shards: 2, seed: 4 }],
  ['qwen3', 'attention_bias', { seed: 5, config: { attention_bias: true } }],
  ['gemma2', 'attention_bias', { dtype: 'BF16', seed: 6, config: { attention_bias: true } }],
])('a Hugging Face %s checkpoint (%s) on the device', (family, label, options) => {
  it(
    'logits within the f32 budget of the float64 transformers forward; the KV cache equals recomputing',
    async () => {
      const checkpoint = tinyHuggingFaceDecoder(family, options);
      const dir = await mkdtemp(join(tmpdir(), 'weft-hf-decoder-gpu-'));
      dirs.push(dir);
      for (const [name, contents] of Object.entries(checkpoint.files))
        await writeFile(join(dir, name), contents);
      const hf = await loadHuggingFaceModel(dir);
      const model = await compileModel(hf.spec, { device: await getTestDevice(), weights: hf.weights });
      try {
        expect(model.backend).toBe('webgpu');
        const exact = decoderForwardFloat64(checkpoint.config, checkpoint.tensors, PROMPT);
        const { data } = await model.run(PROMPT);
        const { graph } = buildModelGraph(hf.spec, { mode: 'forward' });
        const single = interpret(graph, {
          inputs: { tokens: tensor64([1, PROMPT.length], PROMPT, 'i32') },
          params: hf.weights,
          dims: { seq: PROMPT.length },
          precision: 'f32',
        }).logits!.data;
        const device = relativeError(data, exact);
        const cpu = relativeError(single, exact);
        const steps = await decodeVersusRecompute(model, PROMPT, 4);
        const { kernels, dispatchesPerRun } = model.decoder.stats;
        console.info(
          `HF tiny ${family} (${label}): device err ${device.toExponential(2)}, CPU f32 err ${cpu.toExponential(2)}, ratio ${(device / Math.max(cpu, 1.2e-7)).toFixed(2)}; decode step: ${kernels} kernels, ${dispatchesPerRun} dispatches; step vs recompute max ${Math.max(...steps).toExponential(1)}`,
        );
        expect(device).toBeLessThanOrEqual(2 * Math.max(cpu, 1.2e-7));
        expect(steps).toHaveLength(PROMPT.length - 3);
        for (const error of steps) expect(error).toBeLessThan(1e-5);
      } finally {
        model.destroy();
      }
    },
    TIMEOUT_MS,
  );
});
