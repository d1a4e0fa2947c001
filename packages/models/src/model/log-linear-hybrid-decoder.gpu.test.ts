import { attention } from '@weft/attention/kernels';
import { linearAttentionExtension } from '@weft/attention/linear-kernels';
import { randomIndices, relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import {
  float32Params,
  float64Values,
  forwardLogitsOnDevice,
  normwiseError,
  stepVersusForwardOnDevice,
} from '../testing/decoder-device-check.js';
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

describe('a hybrid decoder of log-linear and softmax layers on the device', () => {
  const forward = buildDecoderGraph(LOG_LINEAR_HYBRID_DECODER, { mode: 'forward' });
  const step = buildDecoderGraph(LOG_LINEAR_HYBRID_DECODER, { mode: 'step' });
  const params = randomGraphParams(forward.graph, 15);
  const params32 = float32Params(params);
  const extensions = [attention, linearAttentionExtension];
  // One token per step: the op's decode step (logLinearDecodeStep) instead of the chunk step.
  const singleStep = buildDecoderGraph(LOG_LINEAR_HYBRID_DECODER, {
    mode: 'step',
    cache: { layout: { capacity: 16, sinks: 0, window: undefined }, maxStepTokens: 1 },
  });

  it('forward logits match the catalog formula in float64 loops', { timeout: 300_000 }, async () => {
    const exact = logLinearHybridForwardFloat64(float64Values(params), TOKENS);
    const setup = { device: await getTestDevice(), extensions, params: params32 };
    const { logits: actual, kernels } = await forwardLogitsOnDevice(setup, forward.graph, TOKENS);
    const error = normwiseError(actual, exact);
    console.info(
      `log-linear hybrid decoder: ${kernels} kernels per forward, normwise err ${error.toExponential(2)} (elementwise ${relativeError(actual, exact).toExponential(2)})`,
    );
    expect(error).toBeLessThan(FORWARD_BUDGET);
  });

  it('prefill then decode with the level states on the device equals the forward pass', {
    timeout: 300_000,
  }, async () => {
    const setup = { device: await getTestDevice(), extensions, params: params32 };
    const graphs = { step, forward: forward.graph };
    const { errors, stepKernels } = await stepVersusForwardOnDevice(setup, graphs, vocabSize, TOKENS, PROMPT);
    console.info(
      `log-linear hybrid decoder: ${stepKernels} kernels per step, step vs forward ${errors.map((e) => e.toExponential(1)).join(' ')}`,
    );
    expect(errors).toHaveLength(TOKENS.length - PROMPT + 1);
    for (const error of errors) expect(error).toBeLessThan(STEP_BUDGET);
  });

  it('one token per step (the decode step on the level states) equals the forward pass', {
    timeout: 300_000,
  }, async () => {
    const setup = { device: await getTestDevice(), extensions, params: params32 };
    const graphs = { step: singleStep, forward: forward.graph };
    const { errors, stepKernels } = await stepVersusForwardOnDevice(setup, graphs, vocabSize, TOKENS, 1);
    console.info(
      `log-linear hybrid decoder: ${stepKernels} kernels per one-token step, max step vs forward ${Math.max(...errors).toExponential(1)}`,
    );
    expect(errors).toHaveLength(TOKENS.length);
    for (const error of errors) expect(error).toBeLessThan(STEP_BUDGET);
  });
});
