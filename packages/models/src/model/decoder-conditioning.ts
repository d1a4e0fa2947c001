import { input, type Node, SpecError } from '@weft/ir';
import type { BlockNorm } from '../blocks/block-norm.js';
import { conditioningVector } from '../blocks/conditioning-vector.js';
import { checkExactOptions } from '../blocks/exact-options.js';
import { isNormLayer, type NormLayer, type NormLayerLike } from '../blocks/norm-layer.js';

/**
 * The conditioning inputs of a decoder LM, which its conditional norm layers read: the vector `c`
 * `[batch, dModel]` of `adaptiveLayerNorm()` — the embedded `timestep`, plus with `classes` a row
 * of the label table (DiT's `c = t + y`, see `conditioningVector`) — and the task ids of
 * `taskLayerNormLayer()`. A block's own `condition` option, when given, wins.
 */
export interface DecoderConditioning {
  /** The input `timestep` `[batch]` (f32), embedded by `frequencies` sinusoids (default 256) of periods up to `maxPeriod` (default 10 000), then a SiLU MLP. */
  readonly timestep?: { readonly frequencies?: number; readonly maxPeriod?: number };
  /** Rows of the label table `classEmbedding`; the input `classLabels` `[batch]` (i32). */
  readonly classes?: number;
  /** The input `taskIds` `[batch]` (i32) that `taskLayerNormLayer()` norms read. */
  readonly taskIds?: boolean;
}

/** The names of the conditioning inputs, as a compiled program takes them. */
export const CONDITIONING_INPUTS = {
  timestep: 'timestep',
  classLabels: 'classLabels',
  taskIds: 'taskIds',
} as const;

/** The conditioning nodes of one program: the vector `c` and the task ids, those the definition declares. */
export interface DecoderConditions {
  /** `c` `[batch, dModel]`. */
  readonly vector?: Node;
  /** Task ids `[batch]` i32. */
  readonly taskIds?: Node;
}

/** Builds the conditioning nodes `conditioning` declares, for `batch` sequences of width `dModel`. */
export function decoderConditions(
  conditioning: DecoderConditioning | undefined,
  batch: number,
  dModel: number,
): DecoderConditions {
  if (conditioning === undefined) return {};
  checkExactOptions('decoder', 'decoder', conditioning, ['timestep', 'classes', 'taskIds'], 'conditioning');
  const { timestep, classes, taskIds } = conditioning;
  if (timestep !== undefined)
    checkExactOptions('decoder', 'decoder', timestep, ['frequencies', 'maxPeriod'], 'conditioning.timestep');
  const vector = conditioningVector({
    batch,
    dModel,
    ...(timestep === undefined
      ? {}
      : { timestep: { frequencies: timestep.frequencies ?? 256, maxPeriod: timestep.maxPeriod ?? 10_000 } }),
    ...(classes === undefined ? {} : { classes }),
  });
  return {
    ...(vector === undefined ? {} : { vector }),
    ...(taskIds === true ? { taskIds: input(CONDITIONING_INPUTS.taskIds, [batch], 'i32') } : {}),
  };
}

/**
 * The condition a norm layer reads: the task ids for `taskLayerNorm`, the vector `c` for any other
 * conditional layer; undefined for an unconditioned one.
 *
 * @throws SpecError naming `where` when the layer's input is not declared in `conditioning`.
 */
export function conditionOf(
  layer: NormLayer | undefined,
  conditions: DecoderConditions,
  where: string,
): Node | undefined {
  if (layer?.conditioned !== true) return undefined;
  const tasks = layer.name === 'taskLayerNorm';
  const condition = tasks ? conditions.taskIds : conditions.vector;
  if (condition === undefined) {
    throw new SpecError(
      `decoder: ${where} (${layer.name}) reads ${tasks ? 'task ids' : 'the conditioning vector'}; declare it in the definition's conditioning`,
      {
        block: where,
        expected: tasks ? 'conditioning.taskIds: true' : 'conditioning.timestep or conditioning.classes',
        actual: 'no such conditioning input',
      },
    );
  }
  return condition;
}

/** The norm layer of a block norm or norm slot, when it has one (not nGPT's hypersphere block). */
export function normLayerOfSlot(norm: BlockNorm | NormLayerLike | undefined): NormLayer | undefined {
  if (norm === undefined) return undefined;
  if (isNormLayer(norm)) return norm;
  const layer = (norm as { layer?: unknown }).layer;
  return isNormLayer(layer) ? layer : undefined;
}
