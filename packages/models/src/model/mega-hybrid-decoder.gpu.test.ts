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

describe('a hybrid decoder of Mega blocks and softmax attention on the device', () => {
  const forward = buildDecoderGraph(MEGA_HYBRID_DECODER, { mode: 'forward' });
  const step = buildDecoderGraph(MEGA_HYBRID_DECODER, { mode: 'step' });
  const params = randomGraphParams(forward.graph, 17);
  const params32 = float32Params(params);
  const extensions = [attention, linearAttentionExtension];

  it('forward logits match float64 loops of the paper', { timeout: 300_000 }, async () => {
    const exact = megaHybridForwardFloat64(float64Values(params), TOKENS);
    const setup = { device: await getTestDevice(), extensions, params: params32 };
    const { logits: actual, kernels } = await forwardLogitsOnDevice(setup, forward.graph, TOKENS);
    const error = normwiseError(actual, exact);
    console.info(
      `Mega hybrid decoder: ${kernels} kernels, normwise err ${error.toExponential(2)} (elementwise ${relativeError(actual, exact).toExponential(2)})`,
    );
    expect(error).toBeLessThan(FORWARD_BUDGET);
  });

  it('decode with the EMA state and KV caches on the device equals recomputing the prefix', {
    timeout: 300_000,
  }, async () => {
    const setup = { device: await getTestDevice(), extensions, params: params32 };
    const graphs = { step, forward: forward.graph };
    const { errors, stepKernels } = await stepVersusForwardOnDevice(setup, graphs, vocabSize, TOKENS, PROMPT);
    console.info(
      `Mega hybrid decoder: ${stepKernels} step kernels, step vs recompute ${errors.map((e) => e.toExponential(1)).join(' ')}`,
    );
    expect(errors).toHaveLength(TOKENS.length - PROMPT + 1);
    for (const error of errors) expect(error).toBeLessThan(STEP_BUDGET);
  });
});

describe("Mega layers with fairseq's chunked attention on the device", () => {
  const forward = buildDecoderGraph(MEGA_CHUNKED_DECODER, { mode: 'forward' });
  const step = buildDecoderGraph(MEGA_CHUNKED_DECODER, { mode: 'step' });
  const params = randomGraphParams(forward.graph, 23);
  const params32 = float32Params(params);
  const extensions = [attention, linearAttentionExtension];

  it('forward logits match float64 loops, and decode across chunk boundaries equals recomputing', {
    timeout: 300_000,
  }, async () => {
    const setup = { device: await getTestDevice(), extensions, params: params32 };
    const exact = megaChunkedForwardFloat64(float64Values(params), TOKENS);
    const { logits } = await forwardLogitsOnDevice(setup, forward.graph, TOKENS);
    const error = normwiseError(logits, exact);
    const graphs = { step, forward: forward.graph };
    const { errors } = await stepVersusForwardOnDevice(setup, graphs, vocabSize, TOKENS, PROMPT);
    console.info(
      `Mega-chunk decoder: forward ${error.toExponential(2)}, step vs recompute ≤ ${Math.max(...errors).toExponential(1)}`,
    );
    expect(error).toBeLessThan(FORWARD_BUDGET);
    for (const stepError of errors) expect(stepError).toBeLessThan(STEP_BUDGET);
  });
});
