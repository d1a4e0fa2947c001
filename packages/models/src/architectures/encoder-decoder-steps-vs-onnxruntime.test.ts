import { afterAll, describe, expect, it } from 'vitest';
import { compareEncoderDecoderSteps, describeStep } from './encoder-decoder-steps.test-support.js';
import { F32_FLOOR } from './onnx-comparison.test-support.js';

// The encoder–decoder's decoding step with the self-attention KV cache on Weft's CPU backend
// against onnxruntime-node decoding the same model with past/present key-value tensors: a 4-token
// prefill and three one-token steps, two sequences. f32 budget per step, as the other architecture
// comparisons: onnxruntime within 2 × max(e_f32, 1.2e-7) of float64 (e_f32: the teacher-forcing
// graph evaluated in f32 on the CPU, at the step's position), Weft's CPU output within that plus
// 1.2e-7 of onnxruntime's.
const LOADED_MACHINE_TIMEOUT_MS = 180_000;
const rows: string[] = [];
afterAll(() =>
  console.info(`encoder-decoder decoding vs onnxruntime-node, Weft CPU backend:\n${rows.join('\n')}`),
);

describe('encoder–decoder KV-cache decoding against onnxruntime-node on the CPU backend', () => {
  it('prefill and three cached steps, two sequences', { timeout: LOADED_MACHINE_TIMEOUT_MS }, async () => {
    const { steps } = await compareEncoderDecoderSteps('cpu', 61);
    expect(steps.map((step) => [step.past, step.fresh])).toEqual([
      [0, 4],
      [4, 1],
      [5, 1],
      [6, 1],
    ]);
    for (const step of steps) {
      rows.push(describeStep('CPU', step));
      const budget = 2 * step.f32Error;
      expect(step.onnxVersusExact, `past ${step.past}: onnxruntime vs float64`).toBeLessThanOrEqual(budget);
      expect(step.weftVersusOnnx, `past ${step.past}: Weft CPU vs onnxruntime`).toBeLessThanOrEqual(
        budget + F32_FLOOR,
      );
    }
  });
});
