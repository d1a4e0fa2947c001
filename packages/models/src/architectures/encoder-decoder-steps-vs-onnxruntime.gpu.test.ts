import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { compareEncoderDecoderSteps, describeStep } from './encoder-decoder-steps.test-support.js';

// The encoder–decoder's decoding step with the self-attention KV cache compiled for the WebGPU
// device (cache as program state, outputs poisoned before each run) against onnxruntime-node
// decoding the same model with past/present key-value tensors: a 4-token prefill and three
// one-token steps, two sequences. f32 budget per step: the device's and onnxruntime's logits each
// within 2 × max(e_f32, 1.2e-7) of float64 (e_f32: the teacher-forcing graph evaluated in f32 on
// the CPU, at the step's position), so the device within twice that of onnxruntime.
// SwiftShader compiles the encode and step programs: a minute or more on a loaded machine.
const LOADED_MACHINE_TIMEOUT_MS = 300_000;
const rows: string[] = [];
afterAll(() =>
  console.info(`encoder-decoder decoding vs onnxruntime-node, Weft on the device:\n${rows.join('\n')}`),
);

describe('encoder–decoder KV-cache decoding against onnxruntime-node on the device', () => {
  it('prefill and three cached steps, two sequences', { timeout: LOADED_MACHINE_TIMEOUT_MS }, async () => {
    const { steps, stepKernels } = await compareEncoderDecoderSteps(await getTestDevice(), 62);
    expect(steps).toHaveLength(4);
    for (const step of steps) {
      rows.push(describeStep('device', step, stepKernels));
      const budget = 2 * step.f32Error;
      expect(step.weftVersusExact, `past ${step.past}: device vs float64`).toBeLessThanOrEqual(budget);
      expect(step.onnxVersusExact, `past ${step.past}: onnxruntime vs float64`).toBeLessThanOrEqual(budget);
      expect(step.weftVersusOnnx, `past ${step.past}: device vs onnxruntime`).toBeLessThanOrEqual(2 * budget);
    }
  });
});
