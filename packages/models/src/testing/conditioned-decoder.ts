import { attention, rope } from '@weft/attention';
import { adaptiveLayerNorm, taskLayerNormLayer } from '../blocks/conditional-norm-layers.js';
import type { DecoderLmDefinition } from '../model/decoder-graph.js';
import type { ModelSpecV2Input } from '../spec/model-spec-v2-types.js';

/** The layer of {@link CONDITIONED_DECODER} whose norms are task LayerNorms (the others are adaLN). */
export const CONDITIONED_DECODER_TASK_LAYER = 1;

/**
 * A decoder LM conditioned as a DiT is, in TypeScript: a timestep (16 sinusoids, an MLP) plus a
 * class label make the vector `c` that the adaptive LayerNorms of layers 0 and 2 and the final
 * norm read; layer 1's norms are task LayerNorms picked by the task ids (3 tasks, eps 1e-5). RoPE
 * attention, SwiGLU, d_model 32. The TS form of {@link CONDITIONED_DECODER_SPEC}.
 */
export const CONDITIONED_DECODER: DecoderLmDefinition = {
  vocabSize: 48,
  dModel: 32,
  layers: 3,
  maxSeq: 16,
  block: (layer) => ({
    attention: attention({ heads: 4, headDim: 8, positions: rope() }),
    mlp: { kind: 'swiglu', hidden: 48 },
    norm: {
      layer:
        layer === CONDITIONED_DECODER_TASK_LAYER
          ? taskLayerNormLayer({ tasks: 3, eps: 1e-5 })
          : adaptiveLayerNorm(),
      placement: 'pre',
    },
  }),
  finalNorm: adaptiveLayerNorm(),
  conditioning: { timestep: { frequencies: 16 }, classes: 10, taskIds: true },
};

/**
 * {@link CONDITIONED_DECODER} as a version-2 model spec: `conditioning` declares the inputs
 * (`timestep`, `classLabels`, `taskIds`), the norm slots hold `{ "kind": "adaLn" }`, an override
 * gives layer 1 `{ "kind": "taskLayerNorm" }`.
 */
export const CONDITIONED_DECODER_SPEC: ModelSpecV2Input = {
  schemaVersion: 2,
  kind: 'decoder-lm',
  config: {
    vocabSize: 48,
    dModel: 32,
    layers: 3,
    maxSeq: 16,
    attention: { heads: 4, headDim: 8, positions: { kind: 'rope' } },
    mlp: { kind: 'swiglu', hidden: 48 },
    norm: { layer: { kind: 'adaLn' } },
    conditioning: { timestep: { frequencies: 16 }, classLabels: { classes: 10 }, taskIds: { tasks: 3 } },
    overrides: [
      {
        layers: [CONDITIONED_DECODER_TASK_LAYER],
        norm: { layer: { kind: 'taskLayerNorm', eps: 1e-5 } },
      },
    ],
  },
};
