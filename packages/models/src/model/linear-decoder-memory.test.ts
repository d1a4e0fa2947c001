import { attention, rope } from '@weft/attention';
import { elu1, lightningLinearDecay, linearAttention } from '@weft/attention/linear';
import { runPipeline } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { rmsNormLayer } from '../blocks/norm-layers.js';
import { buildDecoderGraph, type DecoderLmDefinition } from './decoder-graph.js';

// Peak device bytes of a decoder whose attention is causal linear attention, at N = 8192 on the
// memory plan (no device): O(N·d + chunks·d²), never N². B = 1, H = 4, d_k = d_v = 64, d = 256.
const N = 8192;
const D_MODEL = 256;
const HIDDEN = 512;
const VOCAB = 64;

const decoder = (softmaxLayer?: number): DecoderLmDefinition => ({
  vocabSize: VOCAB,
  dModel: D_MODEL,
  layers: 3,
  maxSeq: N,
  block: (layer) => ({
    attention:
      layer === softmaxLayer
        ? attention({ heads: 4, headDim: 64, positions: rope() })
        : linearAttention({
            heads: 4,
            headDim: 64,
            featureMap: elu1(),
            causal: true,
            ...(layer === 2 ? { decay: lightningLinearDecay(4, layer, 3), denominator: false as const } : {}),
          }),
    mlp: { kind: 'swiglu', hidden: HIDDEN },
    norm: rmsNormLayer({ eps: 1e-6 }),
  }),
  finalNorm: rmsNormLayer({ eps: 1e-6 }),
});

/** The widest per-position row of the forward program: the MLP's gate and up columns. */
const WIDEST_ROW = 2 * HIDDEN;

describe('linear attention in a decoder, memory plan at N = 8192', () => {
  it('the forward program of linear layers stays O(N·d): no slot of N×N', () => {
    const { graph } = buildDecoderGraph(decoder(), { mode: 'forward' });
    const { memory, plan } = runPipeline(graph);
    const slots = [...memory.slots.values()].map((slot) => slot.bytes);
    const rowBytes = 4 * N * WIDEST_ROW;
    const quadratic = 4 * 4 * N * N;
    console.info(
      `linear decoder N=${N}: ${plan.kernels.length} kernels, largest slot ${Math.max(...slots)} B, peak ${memory.peakLiveBytes} B (one N×N score tensor: ${quadratic} B)`,
    );
    expect(Math.max(...slots)).toBeLessThanOrEqual(Math.max(rowBytes, 4 * N * VOCAB));
    // A handful of live [N, row] activations; an N×N term would be 16× this bound on its own.
    expect(memory.peakLiveBytes).toBeLessThanOrEqual(8 * rowBytes);
    expect(memory.peakLiveBytes).toBeLessThan(quadratic / 16);
  });

  it('the decode step holds S and z, not N positions: its state bytes do not depend on maxSeq', () => {
    const stateBytes = (maxSeq: number) => {
      const { graph, state } = buildDecoderGraph({ ...decoder(), maxSeq }, { mode: 'step' });
      const shapes = Object.values(state).map((next) => graph.outputs[next]!.shape.map(Number));
      return {
        names: Object.keys(state).sort(),
        bytes: shapes.reduce((sum, shape) => sum + 4 * shape.reduce((a, b) => a * b, 1), 0),
      };
    };
    const long = stateBytes(N);
    expect(long.names).toEqual([
      'layers.0.attn.cache.keyState',
      'layers.0.attn.cache.state',
      'layers.1.attn.cache.keyState',
      'layers.1.attn.cache.state',
      'layers.2.attn.cache.state',
    ]);
    // S [1, 4, 64, 64] per layer, z [1, 4, 64] on the two layers with a denominator.
    expect(long.bytes).toBe(4 * (3 * 4 * 64 * 64 + 2 * 4 * 64));
    expect(stateBytes(128).bytes).toBe(long.bytes);
  });

  it('a softmax layer among them (flash kernel) keeps the stack O(N·d) too', () => {
    const { graph } = buildDecoderGraph(decoder(1), { mode: 'forward' });
    const { memory } = runPipeline(graph);
    expect(memory.peakLiveBytes).toBeLessThanOrEqual(8 * 4 * N * WIDEST_ROW);
  });
});
