import { describe, expect, it } from 'vitest';
import { compileModel } from '../model/compile-model.js';
import { buildModelGraph } from '../model/model-definition.js';
import { decodeVersusRecompute } from '../testing/decode-versus-recompute.js';
import { LINEAR_HYBRID_DECODER_SPEC } from '../testing/linear-hybrid-decoder.js';
import { parseModelSpec } from './model-spec-json.js';

// The hybrid decoder with NaLaFormer's norm-aware features on layer 0 (layer 2's override keeps ELU+1).
const NALA_DECODER_SPEC = {
  ...LINEAR_HYBRID_DECODER_SPEC,
  config: {
    ...LINEAR_HYBRID_DECODER_SPEC.config,
    attention: {
      heads: 4,
      headDim: 8,
      linear: { featureMap: { kind: 'identity' }, featureExpansion: { kind: 'nala' } },
    },
  },
} as const;

describe('NaLaFormer features in a decoder-lm v2 spec ("featureExpansion": { "kind": "nala" })', () => {
  it('the linear layers keep a state of 2·d_k feature rows', () => {
    const { graph } = buildModelGraph(parseModelSpec(NALA_DECODER_SPEC), { mode: 'step' });
    expect(graph.outputs['layers.0.attn.cache.state.next']?.shape).toEqual([1, 4, 16, 8]);
    expect(graph.outputs['layers.0.attn.cache.keyState.next']?.shape).toEqual([1, 4, 16]);
  });

  it('refuses an unknown expansion, naming the key', () => {
    const bad = {
      ...NALA_DECODER_SPEC,
      config: {
        ...NALA_DECODER_SPEC.config,
        attention: { heads: 4, headDim: 8, linear: { featureExpansion: { kind: 'cosformer' } } },
      },
    };
    expect(() => parseModelSpec(bad)).toThrow(/featureExpansion/);
  });

  it('decodes with the recurrent state as recomputing the prefix (CPU)', async () => {
    const model = await compileModel(NALA_DECODER_SPEC, { device: 'cpu', seed: 7 });
    try {
      const errors = await decodeVersusRecompute(model, [5, 17, 2, 40, 11, 9, 33, 1], 3);
      for (const error of errors) expect(error).toBeLessThan(1e-6);
    } finally {
      model.destroy();
    }
  });
});
