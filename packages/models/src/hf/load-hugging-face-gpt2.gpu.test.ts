import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interpret, tensor64 } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CompiledModel, compileModel } from '../model/compile-model.js';
import { buildModelGraph } from '../model/model-definition.js';
import { decodeVersusRecompute } from '../testing/decode-versus-recompute.js';
import { gpt2ForwardFloat64, tinyHuggingFaceGpt2 } from '../testing/index.js';
import { type HuggingFaceModel, loadHuggingFaceModel } from './load-hugging-face-model.js';

// A GPT-2 checkpoint in the Hugging Face layout (BF16, `transformer.` names, two shards) on the
// device, against Hugging Face's GPT-2 forward written out in float64: the f32 budget rule of
// docs/guides/error-budget.md (device error ≤ 2 × the error of the same graph evaluated in f32 on
// the CPU, floor 1.2e-7); decoding with the KV cache equals recomputing the prefix (1e-5).
const PROMPT = [3, 17, 5, 29, 1, 38, 12, 7];

function argmax(values: ArrayLike<number>, from: number, count: number): number {
  let best = 0;
  for (let i = 1; i < count; i++) if (values[from + i]! > values[from + best]!) best = i;
  return best;
}

// Compiling on the software adapter is slow on a loaded machine: the setup gets its own budget.
const SETUP_TIMEOUT_MS = 600_000;

const checkpoint = tinyHuggingFaceGpt2({ dtype: 'BF16', shards: 2, prefixed: true, seed: 3 });
let dir: string | undefined;
let model: CompiledModel | undefined;
let hf: HuggingFaceModel | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-hf-gpt2-gpu-'));
  for (const [name, contents] of Object.entries(checkpoint.files)) await writeFile(join(dir, name), contents);
  hf = await loadHuggingFaceModel(dir);
  model = await compileModel(hf.spec, { device: await getTestDevice(), weights: hf.weights });
  await model.forwardProgram();
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  model?.destroy();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('a Hugging Face GPT-2 checkpoint on the device (BF16, transformer. names, two shards)', () => {
  it('logits within the f32 budget of the float64 Hugging Face forward', async () => {
    expect(model!.backend).toBe('webgpu');
    const exact = gpt2ForwardFloat64(checkpoint.config, checkpoint.tensors, PROMPT);
    const { data } = await model!.run(PROMPT);
    const { graph } = buildModelGraph(hf!.spec, { mode: 'forward' });
    const single = interpret(graph, {
      inputs: { tokens: tensor64([1, PROMPT.length], PROMPT, 'i32') },
      params: hf!.weights,
      dims: { seq: PROMPT.length },
      precision: 'f32',
    }).logits!.data;
    const device = relativeError(data, exact);
    const cpu = relativeError(single, exact);
    console.info(
      `HF tiny GPT-2: device err ${device.toExponential(2)}, CPU f32 err ${cpu.toExponential(2)}, ratio ${(device / Math.max(cpu, 1.2e-7)).toFixed(2)}`,
    );
    expect(device).toBeLessThanOrEqual(2 * Math.max(cpu, 1.2e-7));
  });

  it('decoding with the KV cache equals recomputing the prefix', async () => {
    const errors = await decodeVersusRecompute(model!, PROMPT, 5);
    console.info(`HF tiny GPT-2: step vs recompute ${errors.map((e) => e.toExponential(1)).join(' ')}`);
    expect(errors).toHaveLength(PROMPT.length - 5 + 1);
    for (const error of errors) expect(error).toBeLessThan(1e-5);
  });

  it('greedy generation picks what the float64 forward over each prefix picks', async () => {
    const vocab = checkpoint.config.vocab_size;
    const { tokens } = await model!.generate(PROMPT.slice(0, 4), { maxTokens: 3 });
    const sequence = PROMPT.slice(0, 4);
    for (const token of tokens) {
      const logits = gpt2ForwardFloat64(checkpoint.config, checkpoint.tensors, sequence);
      expect(token).toBe(argmax(logits, (sequence.length - 1) * vocab, vocab));
      sequence.push(token);
    }
  });
});
