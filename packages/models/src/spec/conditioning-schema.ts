import * as v from 'valibot';
import { ARCHITECTURE_LIMITS } from './architecture-limits.js';
import { MODEL_SPEC_LIMITS } from './model-spec-schema.js';
import { nonNegativeNumber, numberAbove, positiveInteger } from './number-schemas.js';

const evenMessage = (issue: v.BaseIssue<unknown>) =>
  `expected an even positive integer (cos and sin halves), got ${issue.received}`;

/**
 * The timestep conditioning input (`timestep` `[batch]` f32), embedded by `frequencies` sinusoids
 * (default 256) of periods up to `maxPeriod` (default 10 000), then a two-layer SiLU MLP to the
 * model width. Read by the `dit` and `decoder-lm` kinds.
 */
export const timestepConditioningSchema = v.strictObject({
  frequencies: v.optional(
    v.pipe(
      positiveInteger(ARCHITECTURE_LIMITS.timestepFrequencies),
      v.check((frequencies) => frequencies % 2 === 0, evenMessage),
    ),
  ),
  maxPeriod: v.optional(numberAbove(1)),
});

/**
 * The class-label conditioning input (`classLabels` `[batch]` i32): a row of the `classes`-row
 * label table `classEmbedding`, added to the timestep embedding. Read by the `dit` and
 * `decoder-lm` kinds.
 */
export const classLabelsConditioningSchema = v.strictObject({
  classes: positiveInteger(ARCHITECTURE_LIMITS.classes),
});

/** The task-id conditioning input (`taskIds` `[batch]` i32) of `taskLayerNorm` layers, one of `tasks` tasks. */
export const taskIdsConditioningSchema = v.strictObject({
  tasks: positiveInteger(MODEL_SPEC_LIMITS.vocabSize),
});

/**
 * The conditioning inputs of a `decoder-lm`: the vector `c` `[batch, dModel]` that `adaLn` norm
 * layers read — the embedded `timestep`, plus with `classLabels` a row of the label table (DiT's
 * `c = t + y`; either alone is `c`) — and the `taskIds` that `taskLayerNorm` layers read.
 */
export const decoderConditioningSchema = v.strictObject({
  timestep: v.optional(timestepConditioningSchema),
  classLabels: v.optional(classLabelsConditioningSchema),
  taskIds: v.optional(taskIdsConditioningSchema),
});

/** The conditioning inputs of a `decoder-lm` (see {@link decoderConditioningSchema}). */
export type DecoderConditioningJSON = v.InferOutput<typeof decoderConditioningSchema>;

/**
 * A norm layer fed by a conditioning input: `adaLn`, the adaptive LayerNorm of DiT
 * (`adaptiveLayerNorm()`: shift and scale from `SiLU(c)`, options `eps`, `activateCondition`), or
 * `taskLayerNorm` (a LayerNorm with one gain and bias per task, picked by `taskIds`; option `eps`).
 */
export const conditionalNormLayerSchema = v.variant(
  'kind',
  [
    v.strictObject({
      kind: v.literal('adaLn'),
      eps: v.optional(nonNegativeNumber()),
      activateCondition: v.optional(v.boolean()),
    }),
    v.strictObject({
      kind: v.literal('taskLayerNorm'),
      eps: v.optional(nonNegativeNumber()),
    }),
  ],
  (issue) => `expected a conditional norm layer kind: adaLn, taskLayerNorm; got ${issue.received}`,
);

/** A conditional norm layer in JSON (see {@link conditionalNormLayerSchema}). */
export type ConditionalNormLayerJSON = v.InferOutput<typeof conditionalNormLayerSchema>;
