import { attention } from '@weft/attention/kernels';
import { lightningLinearDecay } from '@weft/attention/linear';
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
import { LINEAR_HYBRID_DECAY_LAYER, LINEAR_HYBRID_DECODER } from '../testing/linear-hybrid-decoder.js';
import { linearHybridForwardFloat64 } from '../testing/linear-hybrid-decoder-forward.js';
import { randomGraphParams } from '../testing/random-graph-params.js';
import { buildDecoderGraph } from './decoder-graph.js';

// The hybrid decoder with linear layers (ELU+1 with denominator, Lightning's decay) around a
// softmax RoPE layer, on the device: forward logits against plain float64 loops written from the
// math (not Weft's interpreter nor the op's reference), and decode with the recurrent state S, z
// kept on the device equal to recomputing the prefix. Fresh seeded random parameters and tokens;
// outputs poisoned before every run.
const { vocabSize } = LINEAR_HYBRID_DECODER;
const TOKENS = Array.from(randomIndices([16], vocabSize, 2027).data);
const PROMPT = 5;
const RATES = lightningLinearDecay(4, LINEAR_HYBRID_DECAY_LAYER, 3).rates;
// f32 budget: three layers of O(d) sums over ≤ 16 positions and a 48-way head; the logits are
// checked normwise (max|Δ| / max|ref|). Measured 3.2e-7 on SwiftShader; 1e-5 leaves room for
// other adapters' exp/sqrt without hiding a wrong term (those give errors of order 1).
const FORWARD_BUDGET = 1e-5;
// Step vs recompute: the same f32 math in another order (state carried vs chunk sweep).
const STEP_BUDGET = 1e-5;

describe('a hybrid decoder of linear and softmax layers on the device', () => {
  const forward = buildDecoderGraph(LINEAR_HYBRID_DECODER, { mode: 'forward' });
  const step = buildDecoderGraph(LINEAR_HYBRID_DECODER, { mode: 'step' });
  const params = randomGraphParams(forward.graph, 14);
  const params32 = float32Params(params);
  const extensions = [attention, linearAttentionExtension];

  it('keeps S and z of linear layers as state, a KV cache for the softmax layer', () => {
    expect(Object.keys(step.state).sort()).toEqual([
      'layers.0.attn.cache.keyState',
      'layers.0.attn.cache.state',
      'layers.1.attn.cache.key',
      'layers.1.attn.cache.value',
      'layers.2.attn.cache.state',
    ]);
    expect(step.graph.outputs['layers.0.attn.cache.state.next']!.shape).toEqual([1, 4, 8, 8]);
    expect(step.graph.outputs['layers.0.attn.cache.keyState.next']!.shape).toEqual([1, 4, 8]);
  });

  it('forward logits match float64 loops of the math', { timeout: 300_000 }, async () => {
    const exact = linearHybridForwardFloat64(float64Values(params), TOKENS, RATES);
    const setup = { device: await getTestDevice(), extensions, params: params32 };
    const { logits: actual, kernels } = await forwardLogitsOnDevice(setup, forward.graph, TOKENS);
    const error = normwiseError(actual, exact);
    console.info(
      `linear hybrid decoder: ${kernels} kernels, normwise err ${error.toExponential(2)} (elementwise ${relativeError(actual, exact).toExponential(2)})`,
    );
    expect(error).toBeLessThan(FORWARD_BUDGET);
  });

  it('decode with the recurrent state equals recomputing the prefix', { timeout: 300_000 }, async () => {
    const setup = { device: await getTestDevice(), extensions, params: params32 };
    const graphs = { step, forward: forward.graph };
    const { errors, stepKernels } = await stepVersusForwardOnDevice(setup, graphs, vocabSize, TOKENS, PROMPT);
    console.info(
      `linear hybrid decoder: ${stepKernels} step kernels, step vs recompute ${errors.map((e) => e.toExponential(1)).join(' ')}`,
    );
    expect(errors).toHaveLength(TOKENS.length - PROMPT + 1);
    for (const error of errors) expect(error).toBeLessThan(STEP_BUDGET);
  });
});
