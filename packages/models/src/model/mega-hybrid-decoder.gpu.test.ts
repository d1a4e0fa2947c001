import { attention } from '@weft/attention/kernels';
import { linearAttentionExtension } from '@weft/attention/linear-kernels';
import { randomIndices, relativeError } from '@weft/ir/test';
import { compile } from '@weft/runtime';
import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { decodeVersusRecomputePrograms } from '../testing/decode-versus-recompute.js';
import { MEGA_CHUNKED_DECODER, megaChunkedForwardFloat64 } from '../testing/mega-chunked-decoder.js';
import { MEGA_HYBRID_DECODER } from '../testing/mega-hybrid-decoder.js';
import { megaHybridForwardFloat64 } from '../testing/mega-hybrid-decoder-forward.js';
import { randomGraphParams } from '../testing/random-graph-params.js';
import { buildDecoderGraph } from './decoder-graph.js';

// The hybrid decoder of Mega blocks (softmax, laplace) around a softmax RoPE layer, on the device:
// forward logits against float64 loops written from the paper (not Weft's interpreter nor the
// attention package's reference), and decode with the EMA's h and the Mega heads' keys and values
// kept on the device equal to recomputing the prefix. Fresh seeded parameters and tokens; outputs
// poisoned before every run.
const { vocabSize } = MEGA_HYBRID_DECODER;
const TOKENS = Array.from(randomIndices([16], vocabSize, 2029).data);
const PROMPT = 5;
// f32 budget: three layers of O(d) sums over <= 16 positions (EMA chunk sweeps, erf in laplace)
// and a 40-way head, checked normwise (max|Δ| / max|ref|). Measured 3.2e-7 on SwiftShader (step vs
// recompute ≤ 3.1e-7); 1e-5 leaves room for other adapters'
// exp/erf without hiding a wrong term (a wrong gate, bias index or cache slot gives errors ~1e-1).
const FORWARD_BUDGET = 1e-5;
// Step vs recompute: the same f32 math in another order (state carried vs one sweep).
const STEP_BUDGET = 1e-5;

const normwise = (actual: ArrayLike<number>, expected: ArrayLike<number>) => {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / scale;
};

describe('a hybrid decoder of Mega blocks and softmax attention on the device', () => {
  const forward = buildDecoderGraph(MEGA_HYBRID_DECODER, { mode: 'forward' });
  const step = buildDecoderGraph(MEGA_HYBRID_DECODER, { mode: 'step' });
  const params = randomGraphParams(forward.graph, 17);
  const params32 = Object.fromEntries(
    Object.entries(params).map(([name, tensor]) => [name, Float32Array.from(tensor.data)]),
  );
  const extensions = [attention, linearAttentionExtension];

  it('forward logits match float64 loops of the paper', { timeout: 300_000 }, async () => {
    const exact = megaHybridForwardFloat64(
      Object.fromEntries(Object.entries(params).map(([name, tensor]) => [name, tensor.data])),
      TOKENS,
    );
    const program = await compile(forward.graph, {
      device: await getTestDevice(),
      extensions,
      params: params32,
    });
    try {
      const actual = (
        await program.run(
          { tokens: Int32Array.from(TOKENS) },
          { dims: { seq: TOKENS.length }, poisonOutputs: true },
        )
      ).logits!.data;
      const error = normwise(actual, exact);
      console.info(
        `Mega hybrid decoder: ${program.kernels.length} kernels, normwise err ${error.toExponential(2)} (elementwise ${relativeError(actual, exact).toExponential(2)})`,
      );
      expect(error).toBeLessThan(FORWARD_BUDGET);
    } finally {
      program.destroy();
    }
  });

  it('decode with the EMA state and KV caches on the device equals recomputing the prefix', {
    timeout: 300_000,
  }, async () => {
    const device = await getTestDevice();
    const common = { device, extensions, params: params32 };
    const stepProgram = await compile(step.graph, { ...common, state: step.state });
    const forwardProgram = await compile(forward.graph, common);
    try {
      const errors = await decodeVersusRecomputePrograms(
        { step: stepProgram, forward: forwardProgram, vocabSize },
        TOKENS,
        PROMPT,
      );
      console.info(
        `Mega hybrid decoder: ${stepProgram.kernels.length} step kernels, step vs recompute ${errors.map((e) => e.toExponential(1)).join(' ')}`,
      );
      expect(errors).toHaveLength(TOKENS.length - PROMPT + 1);
      for (const error of errors) expect(error).toBeLessThan(STEP_BUDGET);
    } finally {
      stepProgram.destroy();
      forwardProgram.destroy();
    }
  });
});

describe("Mega layers with fairseq's chunked attention on the device", () => {
  const forward = buildDecoderGraph(MEGA_CHUNKED_DECODER, { mode: 'forward' });
  const step = buildDecoderGraph(MEGA_CHUNKED_DECODER, { mode: 'step' });
  const params = randomGraphParams(forward.graph, 23);
  const params32 = Object.fromEntries(
    Object.entries(params).map(([name, tensor]) => [name, Float32Array.from(tensor.data)]),
  );
  const extensions = [attention, linearAttentionExtension];

  it('forward logits match float64 loops, and decode across chunk boundaries equals recomputing', {
    timeout: 300_000,
  }, async () => {
    const device = await getTestDevice();
    const common = { device, extensions, params: params32 };
    const stepProgram = await compile(step.graph, { ...common, state: step.state });
    const forwardProgram = await compile(forward.graph, common);
    try {
      const exact = megaChunkedForwardFloat64(
        Object.fromEntries(Object.entries(params).map(([name, tensor]) => [name, tensor.data])),
        TOKENS,
      );
      const actual = (
        await forwardProgram.run(
          { tokens: Int32Array.from(TOKENS) },
          { dims: { seq: TOKENS.length }, poisonOutputs: true },
        )
      ).logits!.data;
      const error = normwise(actual, exact);
      const errors = await decodeVersusRecomputePrograms(
        { step: stepProgram, forward: forwardProgram, vocabSize },
        TOKENS,
        PROMPT,
      );
      console.info(
        `Mega-chunk decoder: forward ${error.toExponential(2)}, step vs recompute ≤ ${Math.max(...errors).toExponential(1)}`,
      );
      expect(error).toBeLessThan(FORWARD_BUDGET);
      for (const stepError of errors) expect(stepError).toBeLessThan(STEP_BUDGET);
    } finally {
      stepProgram.destroy();
      forwardProgram.destroy();
    }
  });
});
