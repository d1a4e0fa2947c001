import { SpecError } from '@weft/ir';
import type { Mask } from '../masks/mask.js';
import { readsL1Distance } from './attention-variables.js';
import type { WeightedGqa } from './heads.js';
import type { Normalizer } from './normalizers.js';
import { softmax } from './normalizers.js';
import { nope, type Position } from './positions.js';
import type { QkNorm } from './qk-norm.js';
import type { ScoreMod } from './score-mods.js';

/** What an attention op returns besides O. */
export interface AttentionOutputs {
  /** Also return the row log-sum-exp `[batch, heads, queries]` (softmax only; −∞ on fully masked rows). */
  readonly logSumExp?: boolean;
  /**
   * Also return the row max `[batch, heads, queries]`: m_i = max over kept keys of the final score
   * (any normalizer; −∞ on fully masked rows). With the log-sum-exp it lets callers rescale partial
   * results over key chunks, as Star Attention's and HyperAttention's merges do.
   */
  readonly rowMax?: boolean;
}

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
  /** Row normalizer. */
  readonly normalizer: Normalizer;
  /** Extra outputs. */
  readonly outputs: Required<AttentionOutputs>;
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
  const name = options.name ?? 'attention';
  const fail = (message: string, expected: unknown, actual: unknown): never => {
    throw new SpecError(`attention "${name}": ${message}`, { block: name, expected, actual });
  };
  for (const key of Object.keys(options))
    if (!KNOWN_OPTIONS.has(key)) fail(`unknown option "${key}"`, [...KNOWN_OPTIONS].join(', '), key);
  const positive = (value: unknown, option: string) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
      fail(`${option} must be a positive integer`, 'integer >= 1', value);
  };
  const layout = typeof options.heads === 'object' ? options.heads : undefined;
  if (layout !== undefined && layout?.kind !== 'heads')
    fail('heads must be a number or come from weightedGqa()', 'a number or a WeightedGqa', layout);
  const heads = layout === undefined ? (options.heads as number) : layout.heads;
  positive(heads, 'heads');
  positive(options.headDim, 'headDim');
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
  const positions = options.positions ?? nope();
  if (positions?.kind !== 'position')
    fail('positions must come from rope(), alibi() or nope()', 'a Position', positions);
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
  if (options.qkNorm !== undefined && options.qkNorm?.kind !== 'qkNorm')
    fail('qkNorm must come from qkNorm()', 'a QkNorm', options.qkNorm);
  const score =
    options.score === undefined
      ? []
      : Array.isArray(options.score)
        ? [...options.score]
        : [options.score as ScoreMod];
  for (const mod of score)
    if (mod?.kind !== 'scoreMod')
      fail('score must hold score mods (scale, softcap, scoreMod, ...)', 'a ScoreMod', mod);
  if (options.mask !== undefined && options.mask?.kind !== 'mask')
    fail('mask must come from a mask factory (causal, ...)', 'a Mask', options.mask);
  if (options.mask !== undefined && readsL1Distance(options.mask.predicate))
    fail(
      'a mask cannot read l1Distance (masks run before the pair is scored); use a score mod',
      'a predicate over b, h, q, k and the lengths',
      options.mask.description,
    );
  const normalizer = options.normalizer ?? softmax();
  if (normalizer?.kind !== 'normalizer')
    fail(
      'normalizer must come from a normalizer factory (softmax, sigmoid, ...)',
      'a Normalizer',
      normalizer,
    );
  const outputs = options.outputs ?? {};
  for (const key of Object.keys(outputs))
    if (key !== 'logSumExp' && key !== 'rowMax') fail(`unknown output "${key}"`, 'logSumExp, rowMax', key);
  const logSumExp = outputs.logSumExp ?? false;
  const rowMax = outputs.rowMax ?? false;
  if (logSumExp && normalizer.name !== 'softmax')
    fail('the log-sum-exp output exists for softmax only', 'softmax', normalizer.name);
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
    qkNorm: options.qkNorm,
    score: Object.freeze(score),
    mask: options.mask,
    normalizer,
    outputs: Object.freeze({ logSumExp, rowMax }),
  });
}
