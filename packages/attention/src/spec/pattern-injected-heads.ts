import { constant, type Expr, SpecError, type TensorRef } from '@weft/ir';
import { customMask } from '../masks/custom-mask.js';
import type { Mask } from '../masks/mask.js';
import { ATTENTION_INDICES as I } from './attention-variables.js';
import { type ScoreMod, scoreMod } from './score-mods.js';
import { checkOptions, checkTensorRef, describeValue } from './validate.js';

/**
 * What one head attends with: `learned` keeps its softmax(QKᵀ/√d) weights; the other kinds replace
 * them by a fixed pattern P normalized by its row sum. `matchingToken`: keys holding the query's
 * token id; `intraSentence`: keys of the query's sentence; `positional`: the neighbours i − 1 and i + 1.
 */
export type HeadPattern = 'learned' | 'matchingToken' | 'intraSentence' | 'positional';

/** Options of {@link patternInjectedHeads}. */
export interface PatternInjectedHeadsOptions {
  /** One pattern per query head, in head order. */
  readonly patterns: readonly HeadPattern[];
  /** Token ids `[batch, keys]` (i32), needed by `matchingToken` heads. */
  readonly tokenIds?: TensorRef;
  /** Sentence ids `[batch, keys]` (i32), needed by `intraSentence` heads. */
  readonly sentenceIds?: TensorRef;
}

/** The spec parts of {@link patternInjectedHeads}: pass both to `attention({ score, mask })`. */
export interface PatternInjectedHeads {
  /** Zeroes the score of pattern heads (learned heads keep the default 1/√d scale). */
  readonly score: ScoreMod;
  /** Keeps, per head, the pairs of its pattern (every pair on learned heads). */
  readonly mask: Mask;
}

/**
 * Pattern injection (Li et al., "Human guided exploitation of interpretable attention patterns in
 * summarization and topic segmentation", catalog paper 75): some heads are replaced by a fixed
 * attention pattern P / rowsum(P), the others stay ordinary softmax heads. Expressed as a per-head
 * mask (the pattern's predicate on pattern heads) and a per-head score mod that makes every score of
 * a pattern head 0, so softmax over the kept keys gives exactly P / rowsum(P): the head averages the
 * values of its pattern. Self-attention only (queries and keys are the same positions).
 *
 * @example
 * ```ts
 * const tokenIds = tensorRef('tokenIds', [1, 24], 'i32');
 * const sentenceIds = tensorRef('sentenceIds', [1, 24], 'i32');
 * const { score, mask } = patternInjectedHeads({
 *   patterns: ['matchingToken', 'intraSentence', 'positional', 'learned'], tokenIds, sentenceIds,
 * });
 * const spec = attention({ heads: 4, headDim: 16, score, mask });
 * ```
 */
export function patternInjectedHeads(options: PatternInjectedHeadsOptions): PatternInjectedHeads {
  checkOptions('patternInjectedHeads', options, ['patterns', 'tokenIds', 'sentenceIds'], true);
  const { patterns } = options;
  if (!Array.isArray(patterns))
    throw new SpecError('patternInjectedHeads: option "patterns" must be an array of head patterns', {
      actual: describeValue(patterns),
    });
  if (patterns.length === 0)
    throw new SpecError('patternInjectedHeads: give one pattern per head', {
      expected: '>= 1 pattern',
      actual: 0,
    });
  const keep = patterns.map((pattern) => patternPredicate(pattern, options));
  const isHead = (head: number) => I.h.eq(constant(head, 'i32'));
  const predicate = keep.reduce<Expr>(
    (any, pairKept, head) => any.or(isHead(head).and(pairKept)),
    constant(0, 'bool'),
  );
  const patternHeads = patterns.flatMap((pattern, head) => (pattern === 'learned' ? [] : [isHead(head)]));
  const isPatternHead = patternHeads.reduce<Expr>((any, test) => any.or(test), constant(0, 'bool'));
  const names = patterns.join(', ');
  return {
    score: scoreMod((score) => isPatternHead.select(constant(0), score), `patternScores(${names})`),
    mask: customMask(() => predicate, `patternMask(${names})`),
  };
}

function patternPredicate(pattern: HeadPattern, options: PatternInjectedHeadsOptions): Expr {
  switch (pattern) {
    case 'learned':
      return constant(1, 'bool');
    case 'matchingToken':
      return sameId(requiredIds(options.tokenIds, 'tokenIds', pattern));
    case 'intraSentence':
      return sameId(requiredIds(options.sentenceIds, 'sentenceIds', pattern));
    case 'positional': {
      const distance = I.q.sub(I.k);
      return distance.eq(constant(1, 'i32')).or(distance.eq(constant(-1, 'i32')));
    }
    default:
      throw new SpecError('patternInjectedHeads: unknown head pattern', {
        expected: "'learned' | 'matchingToken' | 'intraSentence' | 'positional'",
        actual: String(pattern),
      });
  }
}

function sameId(ids: TensorRef): Expr {
  return ids.at(I.b, I.q).eq(ids.at(I.b, I.k));
}

function requiredIds(ids: TensorRef | undefined, option: string, pattern: HeadPattern): TensorRef {
  if (ids === undefined)
    throw new SpecError(`patternInjectedHeads: a '${pattern}' head needs ${option}`, {
      tensor: option,
      expected: 'a [batch, keys] i32 tensorRef',
      actual: 'undefined',
    });
  checkTensorRef('patternInjectedHeads', `option "${option}"`, ids);
  if (ids.shape.length !== 2 || ids.dtype !== 'i32')
    throw new SpecError(`patternInjectedHeads: ${option} must be [batch, keys] i32`, {
      tensor: ids.name,
      expected: '[batch, keys] i32',
      actual: `[${ids.shape.join(', ')}] ${ids.dtype}`,
    });
  return ids;
}
