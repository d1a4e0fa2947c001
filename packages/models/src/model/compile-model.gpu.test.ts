import { attention } from '@weft/attention/kernels';
import { tensor64 } from '@weft/ir';
import { expectMatchesReference, getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { parseModelSpec } from '../spec/model-spec-json.js';
import { decodeVersusRecompute } from '../testing/decode-versus-recompute.js';
import { randomGraphParams } from '../testing/random-graph-params.js';
import { TINY_GPT, TINY_LLAMA } from '../testing/tiny-specs.js';
import { compileModel } from './compile-model.js';
import { buildDecoderLmGraph } from './decoder-lm-graph.js';

const TOKENS = [5, 17, 2, 40, 11, 9, 33, 1, 46, 20];
const PROMPT = 4;

function randomWeights(spec: typeof TINY_LLAMA, seed: number): Record<string, Float32Array> {
  const { graph } = buildDecoderLmGraph(parseModelSpec(spec).config, { mode: 'forward' });
  return Object.fromEntries(
    Object.entries(randomGraphParams(graph, seed)).map(([name, tensor]) => [
      name,
      Float32Array.from(tensor.data),
    ]),
  );
}

describe('compiled models on the device', () => {
  // The step program sees RoPE angles of shifted cache slots, the full recompute absolute ones:
  // equal in exact arithmetic, a few bits apart with SwiftShader's f32 sin/cos.
  const cases = [
    { label: 'Llama-style (RoPE, GQA, RMSNorm, SwiGLU)', spec: TINY_LLAMA, tolerance: 2e-4 },
    { label: 'GPT-style (learned positions, LayerNorm, GELU, tied head)', spec: TINY_GPT, tolerance: 1e-5 },
  ];
  for (const { label, spec, tolerance } of cases) {
    it(`${label}: decode with the KV cache equals a full recompute at every step`, async () => {
      const model = await compileModel(spec, {
        device: await getTestDevice(),
        weights: randomWeights(spec, 3),
      });
      expect(model.backend).toBe('webgpu');
      const errors = await decodeVersusRecompute(model, TOKENS, PROMPT);
      console.info(
        `${label}: step vs recompute errors ${errors.map((error) => error.toExponential(1)).join(' ')}`,
      );
      expect(errors).toHaveLength(TOKENS.length - PROMPT + 1);
      for (const error of errors) expect(error).toBeLessThan(tolerance);
      model.destroy();
    });
  }

  it('whole-model logits match the float64 reference', async () => {
    const { graph } = buildDecoderLmGraph(parseModelSpec(TINY_LLAMA).config, { mode: 'forward' });
    const { worstRelativeError, program } = await expectMatchesReference(graph, await getTestDevice(), {
      inputs: { tokens: tensor64([1, TOKENS.length], TOKENS, 'i32') },
      params: randomGraphParams(graph, 5),
      dims: { seq: TOKENS.length },
      extensions: [attention],
      rtol: 1e-3,
      atol: 1e-4,
      label: 'tiny llama',
    });
    console.info(`whole model vs float64: worst relative error ${worstRelativeError.toExponential(2)}`);
    program.destroy();
  });

  it('the prefill logits of generate match the float64 reference', async () => {
    const model = await compileModel(TINY_LLAMA, { device: await getTestDevice(), seed: 9 });
    const result = await model.generate(TOKENS.slice(0, 6), { maxTokens: 3 });
    const reference = model.referenceLogits(TOKENS.slice(0, 6));
    let difference = 0;
    let scale = 0;
    reference.forEach((value, index) => {
      difference = Math.max(difference, Math.abs(result.prefillLogits[index]! - value));
      scale = Math.max(scale, Math.abs(value));
    });
    expect(difference / scale).toBeLessThan(1e-3);
    expect(result.tokens).toHaveLength(3);
    model.destroy();
  });
});
