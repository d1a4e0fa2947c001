import { attention } from '@weft/attention/kernels';
import { lightningLinearDecay } from '@weft/attention/linear';
import { linearAttentionExtension } from '@weft/attention/linear-kernels';
import { randomIndices, relativeError } from '@weft/ir/test';
import { compile } from '@weft/runtime';
import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { decodeVersusRecomputePrograms } from '../testing/decode-versus-recompute.js';
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

const normwise = (actual: ArrayLike<number>, expected: ArrayLike<number>) => {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / scale;
};

describe('a hybrid decoder of linear and softmax layers on the device', () => {
  const forward = buildDecoderGraph(LINEAR_HYBRID_DECODER, { mode: 'forward' });
  const step = buildDecoderGraph(LINEAR_HYBRID_DECODER, { mode: 'step' });
  const params = randomGraphParams(forward.graph, 14);
  const params32 = Object.fromEntries(
    Object.entries(params).map(([name, tensor]) => [name, Float32Array.from(tensor.data)]),
  );
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
    const exact = linearHybridForwardFloat64(
      Object.fromEntries(Object.entries(params).map(([name, tensor]) => [name, tensor.data])),
      TOKENS,
      RATES,
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
        `linear hybrid decoder: ${program.kernels.length} kernels, normwise err ${error.toExponential(2)} (elementwise ${relativeError(actual, exact).toExponential(2)})`,
      );
      expect(error).toBeLessThan(FORWARD_BUDGET);
    } finally {
      program.destroy();
    }
  });

  it('decode with the recurrent state equals recomputing the prefix', { timeout: 300_000 }, async () => {
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
        `linear hybrid decoder: step vs recompute ${errors.map((e) => e.toExponential(1)).join(' ')}`,
      );
      expect(errors).toHaveLength(TOKENS.length - PROMPT + 1);
      for (const error of errors) expect(error).toBeLessThan(STEP_BUDGET);
    } finally {
      stepProgram.destroy();
      forwardProgram.destroy();
    }
  });
});
