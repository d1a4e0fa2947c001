import { attention } from '@weft/attention/kernels';
import { linearAttentionExtension } from '@weft/attention/linear-kernels';
import { randomIndices, relativeError } from '@weft/ir/test';
import { compile } from '@weft/runtime';
import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { decodeVersusRecomputePrograms } from '../testing/decode-versus-recompute.js';
import { LOG_LINEAR_HYBRID_DECODER } from '../testing/log-linear-hybrid-decoder.js';
import { logLinearHybridForwardFloat64 } from '../testing/log-linear-hybrid-decoder-forward.js';
import { randomGraphParams } from '../testing/random-graph-params.js';
import { buildDecoderGraph } from './decoder-graph.js';

// The hybrid decoder with log-linear Mamba-2 layers (catalog paper 109) around a softmax RoPE layer,
// on the device: forward logits against the catalog's dense formula in float64 loops (not Weft's
// interpreter nor the op's reference), and decode with the Fenwick level states kept on the
// device equal to the forward pass of the same prefix. Fresh seeded random parameters and tokens;
// outputs poisoned before every run.
const { vocabSize } = LOG_LINEAR_HYBRID_DECODER;
const TOKENS = Array.from(randomIndices([16], vocabSize, 2029).data);
const PROMPT = 5;
// f32 budget: three layers of O(d) sums over ≤ 16 positions (log-linear: ≤ 5 levels, decays
// exp(Σ a) ≤ 1) and a 48-way head, checked normwise (max|Δ| / max|ref|); a wrong level, decay or
// state merge gives errors of order 1e-1.
const FORWARD_BUDGET = 1e-5;
// Step vs forward: the same f32 math in another order (level states carried vs chunked form).
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

describe('a hybrid decoder of log-linear and softmax layers on the device', () => {
  const forward = buildDecoderGraph(LOG_LINEAR_HYBRID_DECODER, { mode: 'forward' });
  const step = buildDecoderGraph(LOG_LINEAR_HYBRID_DECODER, { mode: 'step' });
  const params = randomGraphParams(forward.graph, 15);
  const params32 = Object.fromEntries(
    Object.entries(params).map(([name, tensor]) => [name, Float32Array.from(tensor.data)]),
  );
  const extensions = [attention, linearAttentionExtension];
  // One token per step: the op's decode step (logLinearDecodeStep) instead of the chunk step.
  const singleStep = buildDecoderGraph(LOG_LINEAR_HYBRID_DECODER, {
    mode: 'step',
    cache: { layout: { capacity: 16, sinks: 0, window: undefined }, maxStepTokens: 1 },
  });

  it('forward logits match the catalog formula in float64 loops', { timeout: 300_000 }, async () => {
    const exact = logLinearHybridForwardFloat64(
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
        `log-linear hybrid decoder: ${program.kernels.length} kernels per forward, normwise err ${error.toExponential(2)} (elementwise ${relativeError(actual, exact).toExponential(2)})`,
      );
      expect(error).toBeLessThan(FORWARD_BUDGET);
    } finally {
      program.destroy();
    }
  });

  it('prefill then decode with the level states on the device equals the forward pass', {
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
        `log-linear hybrid decoder: ${stepProgram.kernels.length} kernels per step, step vs forward ${errors.map((e) => e.toExponential(1)).join(' ')}`,
      );
      expect(errors).toHaveLength(TOKENS.length - PROMPT + 1);
      for (const error of errors) expect(error).toBeLessThan(STEP_BUDGET);
    } finally {
      stepProgram.destroy();
      forwardProgram.destroy();
    }
  });

  it('one token per step (the decode step on the level states) equals the forward pass', {
    timeout: 300_000,
  }, async () => {
    const device = await getTestDevice();
    const common = { device, extensions, params: params32 };
    const stepProgram = await compile(singleStep.graph, { ...common, state: singleStep.state });
    const forwardProgram = await compile(forward.graph, common);
    try {
      const errors = await decodeVersusRecomputePrograms(
        { step: stepProgram, forward: forwardProgram, vocabSize },
        TOKENS,
        1,
      );
      console.info(
        `log-linear hybrid decoder: ${stepProgram.kernels.length} kernels per one-token step, max step vs forward ${Math.max(...errors).toExponential(1)}`,
      );
      expect(errors).toHaveLength(TOKENS.length);
      for (const error of errors) expect(error).toBeLessThan(STEP_BUDGET);
    } finally {
      stepProgram.destroy();
      forwardProgram.destroy();
    }
  });
});
