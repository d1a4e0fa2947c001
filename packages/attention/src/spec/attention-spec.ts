import { SpecError } from '@weft/ir';
import type { Mask } from '../masks/mask.js';
import { type AttentionOutputs, type ResolvedAttentionOutputs, resolveOutputs } from './attention-outputs.js';
import { readsL1Distance } from './attention-variables.js';
import { checkScoreMap } from './check-score-map.js';
import type { WeightedGqa } from './heads.js';
import type { MultiTokenConvolution } from './multi-token.js';
import { type Normalizer, softmax } from './normalizers.js';
import { nope, type Position } from './positions.js';
import type { QkNorm } from './qk-norm.js';
import type { ScoreMod } from './score-mods.js';
import { checkOptions, checkPart, describeValue, I32_MAX } from './validate.js';

export {
  type AttentionOutputs,
  MAX_RELATIVE_CLIP,
  type ResolvedAttentionOutputs,
} from './attention-outputs.js';

/** Options of {@link attention}: the parts of an attention variant. */
export interface AttentionOptions {
  /** Query heads H, or a head layout (`weightedGqa(...)`, which also sets the key/value heads). */
  readonly heads: number | WeightedGqa;
  /** Key/value heads (default H): H = MHA, 1 = MQA, a divisor of H = GQA. Query head h reads KV head ⌊h·kvHeads/H⌋. */
  readonly kvHeads?: number;
  /**
   * Value heads n_v (default: the key heads). Keys and values group independently (Sigma's DiffQKV,
   * catalog #71): query head h reads key head ⌊h·kvHeads/H⌋ and value head ⌊h·valueHeads/H⌋, so
   * `{ heads: 16, kvHeads: 4, valueHeads: 16 }` shares each key head among 4 query heads and gives
   * every query head its own value head. Must divide H; with `weightedGqa` it must equal its kvHeads.
   */
  readonly valueHeads?: number;
  /** Query/key head dim d_k. */
  readonly headDim: number;
  /** Value head dim d_v (default d_k). */
  readonly valueDim?: number;
  /** Positional encoding (default NoPE). */
  readonly positions?: Position;
  /** Per-head normalization of queries and keys before RoPE (default none). */
  readonly qkNorm?: QkNorm;
  /** Score mods in order of application (default: scale 1/√d_k). A `scale` mod replaces the default scale. */
  readonly score?: ScoreMod | readonly ScoreMod[];
  /** Which (query, key) pairs are kept (default: all). */
  readonly mask?: Mask;
  /**
   * A stage over the whole pre-softmax score map (default none): `multiTokenConvolution(...)`, Multi-Token
   * Attention's key–query convolution and head mixing. Needs softmax, no mask or `causal()`, the
   * default scale, and no extra outputs.
   */
  readonly scoreMap?: MultiTokenConvolution;
  /** Row normalizer (default softmax). */
  readonly normalizer?: Normalizer;
  /** Extra outputs. */
  readonly outputs?: AttentionOutputs;
  /** Block path used in error messages, e.g. `layers.3.attn` (default `attention`). */
  readonly name?: string;
}

/** A validated attention variant: a value, independent of any graph. Apply it with `applyAttention`. */
export interface AttentionSpec {
  /** Discriminant. */
  readonly kind: 'attention';
  /** Block path for error messages. */
  readonly name: string;
  /** Query heads. */
  readonly heads: number;
  /** Key heads (and value heads unless `valueHeads` differs). */
  readonly kvHeads: number;
  /** Value heads: query head h reads value head ⌊h·valueHeads/heads⌋. */
  readonly valueHeads: number;
  /** Whether query heads read learned mixes of the key/value heads (`weightedGqa`, parameter `${name}.kvWeights`). */
  readonly weightedHeads: boolean;
  /** Query/key head dim. */
  readonly headDim: number;
  /** Value head dim. */
  readonly valueDim: number;
  /** Positional encoding. */
  readonly positions: Position;
  /** QK normalization, if any. */
  readonly qkNorm: QkNorm | undefined;
  /** Score mods in order. */
  readonly score: readonly ScoreMod[];
  /** Mask, if any. */
  readonly mask: Mask | undefined;
  /** Score-map stage (Multi-Token Attention), if any. */
  readonly scoreMap?: MultiTokenConvolution;
  /** Row normalizer. */
  readonly normalizer: Normalizer;
  /** Extra outputs. */
  readonly outputs: ResolvedAttentionOutputs;
}

const KNOWN_OPTIONS = new Set([
  'heads',
  'kvHeads',
  'valueHeads',
  'headDim',
  'valueDim',
  'positions',
  'qkNorm',
  'score',
  'mask',
  'scoreMap',
  'normalizer',
  'outputs',
  'name',
]);

/**
 * Declares an attention variant from its parts. Throws a `SpecError` naming the block when the
 * parts do not fit (kvHeads not dividing heads, an unknown option, a part of the wrong kind).
 *
 * @example
 * ```ts
 * const spec = attention({
 *   heads: 8, kvHeads: 2, headDim: 64,
 *   positions: rope(), score: [softcap(50)], mask: and(causal(), slidingWindow(4096)),
 *   normalizer: softmax(),
 * });
 * ```
 */
export function attention(options: AttentionOptions): AttentionSpec {
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new SpecError(`attention: the options must be an object`, {
      actual: describeValue(options),
    });
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === ''))
    throw new SpecError(`attention: option "name" must be a non-empty string`, {
      actual: describeValue(options.name),
    });
  const name = options.name ?? 'attention';
  const builder = `attention "${name}"`;
  const fail = (message: string, expected: unknown, actual: unknown): never => {
    throw new SpecError(`${builder}: ${message}`, { block: name, expected, actual });
  };
  checkOptions(builder, options, [...KNOWN_OPTIONS]);
  const positive = (value: unknown, option: string) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > I32_MAX)
      fail(`${option} must be a positive integer`, `integer in [1, ${I32_MAX}]`, describeValue(value));
  };
  const layout =
    typeof options.heads === 'object'
      ? checkPart<WeightedGqa>(builder, 'heads', options.heads, 'heads', 'weightedGqa() (or be a number)')
      : undefined;
  const heads = layout === undefined ? (options.heads as number) : layout.heads;
  positive(heads, 'heads');
  positive(options.headDim, 'headDim');
  if (options.kvHeads !== undefined) positive(options.kvHeads, 'kvHeads');
  if (layout !== undefined && options.kvHeads !== undefined && options.kvHeads !== layout.kvHeads)
    fail(
      `kvHeads (${options.kvHeads}) disagrees with weightedGqa's kvHeads (${layout.kvHeads})`,
      layout.kvHeads,
      options.kvHeads,
    );
  const kvHeads = layout?.kvHeads ?? options.kvHeads ?? heads;
  positive(kvHeads, 'kvHeads');
  // Weighted heads mix every key/value head, so any count works; plain groups must divide.
  if (layout === undefined && heads % kvHeads !== 0)
    fail(`kvHeads (${kvHeads}) must divide heads (${heads})`, `a divisor of ${heads}`, kvHeads);
  const valueHeads = options.valueHeads ?? kvHeads;
  positive(valueHeads, 'valueHeads');
  if (layout !== undefined && valueHeads !== kvHeads)
    fail(
      `valueHeads (${valueHeads}) must equal weightedGqa's kvHeads (${kvHeads}): one weight matrix mixes both`,
      kvHeads,
      valueHeads,
    );
  if (layout === undefined && heads % valueHeads !== 0)
    fail(`valueHeads (${valueHeads}) must divide heads (${heads})`, `a divisor of ${heads}`, valueHeads);
  const valueDim = options.valueDim ?? options.headDim;
  positive(valueDim, 'valueDim');
  const positions =
    options.positions === undefined
      ? nope()
      : checkPart<Position>(builder, 'positions', options.positions, 'position', 'rope(), alibi() or nope()');
  if (positions.name === 'rope') {
    // Every position axis needs at least one rotated pair (see rotaryDims).
    const unit = 2 * positions.rope.dims;
    const rotated = Math.floor((positions.rope.fraction * options.headDim) / unit) * unit;
    if (rotated < unit)
      fail(
        `rope leaves no dim pair to rotate per axis in head dim ${options.headDim}`,
        `>= ${unit} rotated dims`,
        rotated,
      );
  }
  const qkNormPart =
    options.qkNorm === undefined
      ? undefined
      : checkPart<QkNorm>(builder, 'qkNorm', options.qkNorm, 'qkNorm', 'qkNorm()');
  const score =
    options.score === undefined
      ? []
      : Array.isArray(options.score)
        ? [...options.score]
        : [options.score as ScoreMod];
  score.forEach((mod, index) => {
    checkPart<ScoreMod>(
      builder,
      Array.isArray(options.score) ? `score[${index}]` : 'score',
      mod,
      'scoreMod',
      'a score mod builder (scale, softcap, scoreMod, ...)',
    );
  });
  const mask =
    options.mask === undefined
      ? undefined
      : checkPart<Mask>(builder, 'mask', options.mask, 'mask', 'a mask factory (causal, slidingWindow, ...)');
  if (mask !== undefined && readsL1Distance(mask.predicate))
    fail(
      'a mask cannot read l1Distance (masks run before the pair is scored); use a score mod',
      'a predicate over b, h, q, k and the lengths',
      mask.description,
    );
  const normalizer =
    options.normalizer === undefined
      ? softmax()
      : checkPart<Normalizer>(
          builder,
          'normalizer',
          options.normalizer,
          'normalizer',
          'a normalizer factory (softmax, sigmoid, ...)',
        );
  const { logSumExp, rowMax, entropy, diagonal, segmentMass, probeRows, relativeMass } = resolveOutputs(
    builder,
    options.outputs,
    normalizer,
    fail,
  );
  const readouts = entropy || diagonal || segmentMass.length > 0 || probeRows.length > 0 || relativeMass > 0;
  const scoreMap =
    options.scoreMap === undefined
      ? undefined
      : checkScoreMap(builder, options.scoreMap, {
          heads,
          weighted: layout !== undefined,
          positions,
          score,
          mask,
          normalizer,
          extraOutputs: logSumExp || rowMax || readouts,
          fail,
        });
  return Object.freeze({
    kind: 'attention',
    name,
    heads,
    kvHeads,
    valueHeads,
    weightedHeads: layout !== undefined,
    headDim: options.headDim,
    valueDim,
    positions,
    qkNorm: qkNormPart,
    score: Object.freeze(score),
    mask,
    ...(scoreMap === undefined ? {} : { scoreMap }),
    normalizer,
    outputs: Object.freeze({
      logSumExp,
      rowMax,
      entropy,
      diagonal,
      segmentMass: Object.freeze(segmentMass),
      probeRows: Object.freeze(probeRows),
      relativeMass,
    }),
  });
}
