import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { compileModel } from '../model/compile-model.js';
import {
  lteVisibility,
  natsVisibility,
  tinyLlamaForwardFloat64,
} from '../testing/learned-eviction-forward.js';
import { TINY_LLAMA } from '../testing/tiny-specs.js';
import { normwiseError, randomTokens } from '../testing/windowed-reference.js';
import { lte, nats } from './cache-policy.js';

// f32 budget against float64 (as the other cache policies' device tests): a tiny model's logits
// are a few f32 roundings of matmuls, sin/cos, exp and the router's convolutions away.
const TOLERANCE = 2e-5;
const VOCAB = 48;
// Prefill 4, a step of 2, then one token per step.
const STEPS = [4, 2, 1, 1, 1, 1, 1, 1];

describe('NAtS and LTE cache policies on the device', () => {
  it('each step equals the dense float64 forward under the paper rule, the outputs poisoned first', async () => {
    const device = await getTestDevice();
    const cases = [
      { policy: nats(16, 2), rule: (p: Record<string, Float32Array>) => natsVisibility(p, 2) },
      {
        policy: lte(3, 2, 1),
        rule: (p: Record<string, Float32Array>) => lteVisibility(p, { window: 3, budget: 2, sinks: 1 }),
      },
    ];
    for (const [index, { policy, rule }] of cases.entries()) {
      const model = await compileModel(TINY_LLAMA, {
        device,
        seed: 9 + index,
        cache: { policy, prefillChunk: 4 },
      });
      const tokens = randomTokens(12, 5 + index);
      const visibility = rule(model.parameters);
      const errors: number[] = [];
      let past = 0;
      for (const seq of STEPS) {
        const fresh = tokens.slice(past, past + seq);
        const { logits } = await model.decoder.run(
          { tokens: Int32Array.from(fresh), past: Int32Array.of(past) },
          { dims: { seq }, outputs: ['logits'], poisonOutputs: true },
        );
        past += seq;
        const expected = tinyLlamaForwardFloat64(model.parameters, tokens.slice(0, past), visibility);
        errors.push(normwiseError(logits!.data, expected.slice((past - 1) * VOCAB)));
      }
      console.info(
        `${model.cache!.describe()} on the device vs float64: max ${Math.max(...errors).toExponential(1)}; ` +
          `decoder kernels ${model.decoder.kernels.length}`,
      );
      for (const error of errors) expect(error).toBeLessThan(TOLERANCE);
      model.destroy();
    }
  }, 300_000);
});
