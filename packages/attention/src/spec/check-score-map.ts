import type { Mask } from '../masks/mask.js';
import type { Normalizer } from '../normalizers/normalizer-def.js';
import type { MultiTokenConvolution } from './multi-token.js';
import type { Position } from './positions.js';
import type { ScoreMod } from './score-mods.js';
import { checkPart } from './validate.js';

const CAUSAL = /^(causal\([^()]*\)|and\(causal\([^()]*\)(, causal\([^()]*\))*\))$/;

/** The other parts of the spec a score-map stage must fit. */
export interface ScoreMapContext {
  readonly heads: number;
  readonly weighted: boolean;
  readonly positions: Position;
  readonly score: readonly ScoreMod[];
  readonly mask: Mask | undefined;
  readonly normalizer: Normalizer;
  readonly extraOutputs: boolean;
  readonly fail: (message: string, expected: unknown, actual: unknown) => never;
}

/**
 * Checks `attention({ scoreMap })`: a part made by `multiTokenConvolution` whose head groups divide
 * the heads, in a spec the Multi-Token kernels compute (softmax without a sink, no mask or a causal
 * one, the default 1/√d scale, plain or grouped heads, NoPE or RoPE, no extra outputs). Each refusal
 * is a `SpecError` naming `scoreMap` and the part in the way.
 */
export function checkScoreMap(
  builder: string,
  value: unknown,
  context: ScoreMapContext,
): MultiTokenConvolution {
  const scoreMap = checkPart<MultiTokenConvolution>(
    builder,
    'scoreMap',
    value,
    'scoreMap',
    'multiTokenConvolution()',
  );
  const { fail } = context;
  const group = scoreMap.headMixing?.groupSize;
  if (group !== undefined && context.heads % group !== 0)
    fail(
      `scoreMap.headMixing.groupSize (${group}) must divide heads (${context.heads})`,
      `a divisor of ${context.heads}`,
      group,
    );
  const sink = (context.normalizer.options as { sink?: unknown } | undefined)?.sink;
  if (context.normalizer.name !== 'softmax' || sink !== undefined)
    fail('scoreMap needs the softmax normalizer without a sink', 'softmax()', context.normalizer.name);
  // A model block adds causal() to the spec's own: and(causal(…), causal(…)) is still causal.
  if (context.mask !== undefined && !CAUSAL.test(context.mask.description))
    fail(
      'scoreMap supports no mask or causal() (masked logits are 0 in the convolution)',
      'causal()',
      context.mask.description,
    );
  if (context.score.length > 0)
    fail(
      'scoreMap takes the default 1/√d scale: no score mods',
      'no score option',
      `${context.score.length} score mods`,
    );
  if (context.weighted) fail('scoreMap does not take weightedGqa heads', 'a head count', 'weightedGqa');
  if (context.positions.name === 'alibi')
    fail('scoreMap takes NoPE or RoPE positions', 'rope() or nope()', context.positions.name);
  if (context.extraOutputs)
    fail('scoreMap returns O only (no log-sum-exp, row max or readouts)', 'no outputs option', 'outputs');
  return scoreMap;
}
