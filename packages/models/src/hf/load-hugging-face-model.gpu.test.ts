import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interpret, tensor64 } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { compileModel } from '../model/compile-model.js';
import { buildModelGraph } from '../model/model-definition.js';
import { llamaForwardFloat64, tinyHuggingFaceLlama } from '../testing/index.js';
import { loadHuggingFaceModel } from './load-hugging-face-model.js';

// A Hugging Face-layout checkpoint (BF16, two shards) on the device, against Hugging Face's
// Llama forward written out in float64: the f32 budget rule of docs/guides/error-budget.md
// (device error ≤ 2 × the error of the same graph evaluated in f32 on the CPU, floor 1.2e-7).
const PROMPT = [3, 17, 5, 29, 1, 38, 12, 7, 22, 0, 31, 9];

function argmax(values: ArrayLike<number>, from: number, count: number): number {
  let best = 0;
  for (let i = 1; i < count; i++) if (values[from + i]! > values[from + best]!) best = i;
  return best;
}

let dir: string | undefined;
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('a Hugging Face checkpoint on the device', () => {
  it('tiny Llama (BF16, 2 shards): logits within the f32 budget of the float64 HF forward; greedy tokens agree', async () => {
    const checkpoint = tinyHuggingFaceLlama({ dtype: 'BF16', shards: 2, seed: 3 });
    dir = await mkdtemp(join(tmpdir(), 'weft-hf-gpu-'));
    for (const [name, contents] of Object.entries(checkpoint.files))
      await writeFile(join(dir, name), contents);
    const hf = await loadHuggingFaceModel(dir);
    const model = await compileModel(hf.spec, { device: await getTestDevice(), weights: hf.weights });
    try {
      expect(model.backend).toBe('webgpu');
      const exact = llamaForwardFloat64(checkpoint.config, checkpoint.tensors, PROMPT);
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
      console.info(
        `HF tiny Llama: device err ${device.toExponential(2)}, CPU f32 err ${cpu.toExponential(2)}, ratio ${(device / Math.max(cpu, 1.2e-7)).toFixed(2)}`,
      );
      expect(device).toBeLessThanOrEqual(2 * Math.max(cpu, 1.2e-7));

      // Generation with the KV cache picks what the float64 forward over each prefix picks.
      const vocab = checkpoint.config.vocab_size;
      const { tokens } = await model.generate(PROMPT.slice(0, 4), { maxTokens: 4 });
      const sequence = PROMPT.slice(0, 4);
      for (const token of tokens) {
        const logits = llamaForwardFloat64(checkpoint.config, checkpoint.tensors, sequence);
        expect(token).toBe(argmax(logits, (sequence.length - 1) * vocab, vocab));
        sequence.push(token);
      }
    } finally {
      model.destroy();
    }
  });
});
