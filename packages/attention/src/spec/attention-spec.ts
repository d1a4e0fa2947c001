import { SpecError } from '@weft/ir';
import type { Mask } from '../masks/mask.js';
import type { Normalizer } from './normalizers.js';
import { softmax } from './normalizers.js';
import { nope, type Position } from './positions.js';
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
  /** Query heads H. */
  readonly heads: number;
  /** Key/value heads (default H): H = MHA, 1 = MQA, a divisor of H = GQA. Query head h reads KV head ⌊h·kvHeads/H⌋. */
  readonly kvHeads?: number;
  /** Query/key head dim d_k. */
  readonly headDim: number;
  /** Value head dim d_v (default d_k). */
  readonly valueDim?: number;
  /** Positional encoding (default NoPE). */
  readonly positions?: Position;
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
  /** Key/value heads. */
  readonly kvHeads: number;
  /** Query/key head dim. */
  readonly headDim: number;
  /** Value head dim. */
  readonly valueDim: number;
  /** Positional encoding. */
  readonly positions: Position;
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
  'headDim',
  'valueDim',
  'positions',
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
  positive(options.heads, 'heads');
  positive(options.headDim, 'headDim');
  const kvHeads = options.kvHeads ?? options.heads;
  positive(kvHeads, 'kvHeads');
  if (options.heads % kvHeads !== 0)
    fail(
      `kvHeads (${kvHeads}) must divide heads (${options.heads})`,
      `a divisor of ${options.heads}`,
      kvHeads,
    );
  const valueDim = options.valueDim ?? options.headDim;
  positive(valueDim, 'valueDim');
  const positions = options.positions ?? nope();
  if (positions?.kind !== 'position')
    fail('positions must come from rope(), alibi() or nope()', 'a Position', positions);
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
    heads: options.heads,
    kvHeads,
    headDim: options.headDim,
    valueDim,
    positions,
    score: Object.freeze(score),
    mask: options.mask,
    normalizer,
    outputs: Object.freeze({ logSumExp, rowMax }),
  });
}
