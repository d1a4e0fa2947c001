import { attention } from '@weft/attention/kernels';
import { interpret, tensor64 } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { compile } from '@weft/runtime';
import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { parseModelSpec } from '../spec/model-spec-json.js';
import { decodeVersusRecompute } from '../testing/decode-versus-recompute.js';
import { randomGraphParams } from '../testing/random-graph-params.js';
import { SINK_DECODER_SPEC } from '../testing/sink-decoder.js';
import { sinkDecoderForwardFloat64 } from '../testing/sink-decoder-forward.js';
import { compileModel } from './compile-model.js';
import { buildModelGraph } from './model-definition.js';

// The JSON decoder whose every attention learns a sink logit (layers.{i}.attn.sink; layer 2 has a
// sliding window and one sink for all heads) on the device, against a float64 forward written in
// plain loops (sinkDecoderForwardFloat64, not Weft's interpreter). Budget (docs/guides/error-budget.md):
// the device's relative error ≤ 2 × that of the same graph evaluated in f32 on the CPU (floor 1.2e-7),
// both against the loops, and below 1e-5 outright.
const spec = parseModelSpec(SINK_DECODER_SPEC);
const TOKENS = [5, 17, 2, 40, 11, 9, 33, 1, 46, 20, 3, 28, 14, 7];

describe('a decoder-lm spec with learned sinks on the device', () => {
  const { graph } = buildModelGraph(spec, { mode: 'forward' });
  // Fresh uniform ±0.5 parameters (norm gains included), rounded to f32 so that every path reads
  // the same values; sinks spread to ±3 so that they move the softmax.
  const random = randomGraphParams(graph, 23);
  const weights: Record<string, Float32Array> = Object.fromEntries(
    Object.entries(random).map(([name, t]) => [
      name,
      Float32Array.from(t.data, (value) => (name.endsWith('.sink') ? 6 * value : value)),
    ]),
  );
  const params = Object.fromEntries(
    Object.entries(random).map(([name, t]) => [name, tensor64(t.shape, Array.from(weights[name]!))]),
  );

  it('forward logits within the f32 budget of a float64 loop forward', async () => {
    const inputs = { tokens: tensor64([1, TOKENS.length], TOKENS, 'i32') };
    const dims = { seq: TOKENS.length };
    const loops = sinkDecoderForwardFloat64(weights, TOKENS);
    const single = interpret(graph, { inputs, params, dims, precision: 'f32' }).logits!.data;
    const program = await compile(graph, {
      device: await getTestDevice(),
      extensions: [attention],
      params: weights,
    });
    try {
      const actual = (await program.run({ tokens: Int32Array.from(TOKENS) }, { dims, poisonOutputs: true }))
        .logits!.data;
      const kernel = relativeError(actual, loops);
      const cpu = relativeError(single, loops);
      console.info(
        `sink decoder: ${program.kernels.length} kernels, device err ${kernel.toExponential(2)}, CPU f32 err ${cpu.toExponential(2)} (vs float64 loops)`,
      );
      expect(kernel).toBeLessThanOrEqual(2 * Math.max(cpu, 1.2e-7));
      expect(kernel).toBeLessThan(1e-5);
    } finally {
      program.destroy();
    }
  });

  it('generation with the KV cache equals recomputing the prefix', async () => {
    const model = await compileModel(spec, { device: await getTestDevice(), weights });
    try {
      expect(model.backend).toBe('webgpu');
      const errors = await decodeVersusRecompute(model, TOKENS, 4);
      console.info(`sink decoder: step vs recompute ${errors.map((e) => e.toExponential(1)).join(' ')}`);
      for (const error of errors) expect(error).toBeLessThan(1e-5);
    } finally {
      model.destroy();
    }
  });
});
