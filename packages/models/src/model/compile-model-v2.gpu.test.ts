import { interpret, tensor64 } from '@weft/ir';
import { randomIndices, relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { parseModelSpec } from '../spec/model-spec-json.js';
import { decodeVersusRecompute } from '../testing/decode-versus-recompute.js';
import { HYBRID_DECODER_SPEC } from '../testing/hybrid-decoder.js';
import { randomGraphParams } from '../testing/random-graph-params.js';
import { compileModel } from './compile-model.js';
import { buildModelGraph } from './model-definition.js';

// compileModel on the v2 JSON form of the hybrid decoder (sigmoid + ALiBi on even layers, softmax +
// RoPE + sliding window on odd ones, softcap, SwiGLU, RMSNorm): generation with the KV cache equals
// recomputing the prefix, and the logits meet the f32 rule of docs/guides/error-budget.md (device
// error ≤ 2 × the same graph in f32 on the CPU, both against float64, floor 1.2e-7).
const spec = parseModelSpec(HYBRID_DECODER_SPEC);
const { vocabSize } = spec.config;
const TOKENS = Array.from(randomIndices([16], vocabSize, 7).data);
const PROMPT = 5;

describe('compileModel of a v2 spec on the device (the hybrid decoder as JSON)', () => {
  const forward = buildModelGraph(spec, { mode: 'forward' });
  const params = randomGraphParams(forward.graph, 17);
  const weights = Object.fromEntries(
    Object.entries(params).map(([name, tensor]) => [name, Float32Array.from(tensor.data)]),
  );

  it('generation with the KV cache equals recomputing the prefix; logits within the f32 budget', async () => {
    const model = await compileModel(spec, { device: await getTestDevice(), weights });
    try {
      expect(model.backend).toBe('webgpu');
      const errors = await decodeVersusRecompute(model, TOKENS, PROMPT);
      console.info(`hybrid v2: step vs recompute ${errors.map((e) => e.toExponential(1)).join(' ')}`);
      expect(errors).toHaveLength(TOKENS.length - PROMPT + 1);
      for (const error of errors) expect(error).toBeLessThan(1e-5);

      const inputs = { tokens: tensor64([1, TOKENS.length], TOKENS, 'i32') };
      const dims = { seq: TOKENS.length };
      const exact = interpret(forward.graph, { inputs, params, dims }).logits!.data;
      const single = interpret(forward.graph, { inputs, params, dims, precision: 'f32' }).logits!.data;
      const actual = (await model.run(TOKENS)).data;
      const kernel = relativeError(actual, exact);
      const cpu = relativeError(single, exact);
      console.info(`hybrid v2: kernel err ${kernel.toExponential(2)}, CPU f32 err ${cpu.toExponential(2)}`);
      expect(kernel).toBeLessThanOrEqual(2 * Math.max(cpu, 1.2e-7));

      const greedy = await model.generate(TOKENS.slice(0, PROMPT), {
        maxTokens: 6,
        sampling: { kind: 'greedy' },
      });
      const again = await model.generate(TOKENS.slice(0, PROMPT), {
        maxTokens: 6,
        sampling: { kind: 'greedy' },
      });
      expect(greedy.tokens).toHaveLength(6);
      expect(again.tokens).toEqual(greedy.tokens);
    } finally {
      model.destroy();
    }
  });
});
