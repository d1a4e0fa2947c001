import type { Dim, Expr, ExprEnv, Node } from '@weft/ir';
import type { AxisRole } from '../spec/tensor-use.js';
import type {
  KernelHookContext,
  NormalizerCode,
  SplitHookContext,
  SplitNormalizerCode,
} from './kernel-hooks.js';

export type * from './kernel-hooks.js';

/**
 * A normalizer as stored on an attention node: its name (the key of its {@link NormalizerDef} in
 * the normalizer table) and its parameters, JSON values and Exprs over the attention variables
 * (`h`, `q`, the lengths...), e.g. `{ name: 'softmax', sink: null }`.
 */
export interface NormalizerAttrs {
  /** The normalizer's name. */
  readonly name: string;
}

/** What an attention spec tells a normalizer when it is encoded on a node. */
export interface NormalizerEncodeContext {
  /** The attention block's name (errors name it). */
  readonly block: string;
  /** Query heads. */
  readonly heads: number;
  /** Value head dim. */
  readonly valueDim: number;
  /** The largest key length the node is built for (sigmoid's default bias is −log of it). */
  readonly maxKeys: number;
}

/** The value rows of a row's kept keys (normalizers whose weights read the values). */
export interface RowValues {
  /** Value head dim. */
  readonly valueDim: number;
  /** Dim `d` of the value row of the `position`-th kept key. */
  at(position: number, d: number): number;
}

/** Where one row of the float64 reference lives. */
export interface RowContext {
  /** Environment binding `h`, `q`, the lengths and captured-tensor reads, for parameter Exprs. */
  readonly env: ExprEnv;
  /** Keys of the call (Nk). */
  readonly keys: number;
  /** The kept keys' value rows. */
  readonly values?: RowValues;
  /** Positions of the kept keys, in order. */
  readonly keyIndices?: readonly number[];
  /** Position of the row's query among the keys, i + Nk − Nq. */
  readonly queryPosition?: number;
  /** The value of a parameter Expr (over `h`, `q`, the lengths, captured reads) in this row. */
  evaluate(expr: Expr): number;
}

/** Weights of the kept keys of one row (the float64 reference). */
export interface RowWeights {
  /** One weight per kept score, in order. */
  readonly weights: readonly number[];
  /** log Σ exp(score) (softmax; −∞ for an empty row or a normalizer without one). */
  readonly logSumExp: number;
  /** A row added to the output with a weight (the p-Laplacian feature term β_i·x_i), if any. */
  readonly selfTerm?: { readonly weight: number; readonly row: readonly number[] };
}

/** What the decomposition of a normalizer works on: `[B, H, Nq, Nk]` nodes of the score grid. */
export interface DecomposeContext {
  /** The final scores. */
  readonly score: Node;
  /** The mask's keep predicate (1 kept, 0 hidden), or undefined without a mask. */
  readonly keep: Node | undefined;
  /** Key length of the call. */
  readonly keys: Dim;
  /** The value rows `[B, H, Nk, dv]` (heads already grouped). */
  readonly value: Node;
  /** `node` where the mask keeps the pair, `fill` elsewhere. */
  kept(node: Node, fill: number): Node;
  /** A node holding `expr` (over the attention variables) at every element of the grid of `like` (the score grid). */
  lower(expr: Expr, like?: Node): Node;
  /** The operand of a captured tensor, by name. */
  tensor(name: string): Node;
}

/** A normalizer's decomposition: its weights, and optionally the row log-sum-exp and its own output. */
export interface DecomposedNormalizer {
  /** Weights `[B, H, Nq, Nk]` (0 where the mask hides the pair). */
  readonly probabilities: Node;
  /** The row log-sum-exp `[B, H, Nq, 1]` (softmax only). */
  readonly logSumExp?: Node;
  /** The output `[B, H, Nq, dv]` when it is not `probabilities · value` (an output norm, a self term). */
  output?(): Node;
}

/**
 * The split-keys (flash decoding) hook of a normalizer: its partial states over chunks of keys
 * merge in one step. Its presence is what lets the strategy choose the split-keys kernel.
 */
export interface SplitHook<A extends NormalizerAttrs> {
  /** Whether these attrs merge in one step (default: always). */
  supports?(attrs: A): boolean;
  /** Whether the state has a second rescaled sum `w_run` (one more f32 per chunk). */
  readonly weightedSum?: boolean;
  /** The split-keys WGSL. */
  code(attrs: A, context: SplitHookContext): SplitNormalizerCode;
}

/**
 * Everything Weft knows about one normalizer: how its options become node attributes, its float64
 * row reference, its decomposition into IR ops and the WGSL hooks of the fused kernels. Built-in
 * normalizers (`softmax()`, `l1(...)`, ...) are defs; {@link defineNormalizer} turns a def into a
 * builder usable as `normalizer:` of an attention spec. Row-local normalizers (a weight per score,
 * no row statistics) are shorter through {@link rowLocalNormalizer}.
 *
 * Files defining a normalizer import `@weft/ir` only: the WGSL helpers the hooks need (each kept
 * key of a tile, the online-softmax step, accumulating value rows, helper functions) come in the
 * hook contexts.
 *
 * @example
 * ```ts
 * // weights relu(s) / Nk, accumulated per key and scaled once at the store
 * const reluAttention = defineNormalizer<undefined, { readonly name: 'relu' }>({
 *   name: 'relu',
 *   attrs: () => ({ name: 'relu' }),
 *   reference: (_, scores, row) => ({ weights: scores.map((s) => Math.max(s, 0) / row.keys), logSumExp: -Infinity }),
 *   decompose: (_, c) => ({
 *     probabilities: c.kept(div(relu(c.score), c.lower(ATTENTION_INDICES.keyLength.cast('f32'))), 0),
 *   }),
 *   kernel: (_, c) => ({
 *     setup: [],
 *     passes: [{ before: [], withValues: true, tile: c.eachKeptKey(c.accumulate('max(s, 0.0)')), after: [] }],
 *     finish: [],
 *     outputScale: '(1.0 / f32(nk))',
 *   }),
 * });
 * attention({ heads: 8, headDim: 64, normalizer: reluAttention() });
 * ```
 */
export interface NormalizerDef<Options = unknown, A extends NormalizerAttrs = NormalizerAttrs> {
  /** Unique name, stored in the node's attributes. */
  readonly name: string;
  /**
   * Checks and completes the builder's options (errors name the builder and the option); without
   * it the options are taken as given.
   */
  options?(options: Options | undefined): Options;
  /** The node attributes of a spec's normalizer (with `name`); errors name `context.block`. */
  attrs(options: Options, context: NormalizerEncodeContext): A;
  /**
   * Checks stored attributes (a graph read from a file) and returns them typed; errors name
   * `block` and the attribute. Without it the attributes are taken as stored.
   */
  decode?(stored: NormalizerAttrs, block: string): A;
  /** Axis roles of the captured tensors its Exprs read (checked against the call), by tensor name. */
  roles?(options: Options, context: NormalizerEncodeContext): Readonly<Record<string, readonly AxisRole[]>>;
  /** Whether the node may output the row log-sum-exp (softmax). */
  readonly logSumExp?: boolean;
  /** Float64 weights of the kept scores of one row (empty rows: no weights). */
  reference(attrs: A, scores: readonly number[], row: RowContext): RowWeights;
  /** Rewrites a finished float64 output row `data[offset .. offset + dim)` in place (an output norm). */
  finishRow?(attrs: A, data: Float64Array, offset: number, dim: number): void;
  /** The weights (and optionally the output) as IR ops over the score grid. */
  decompose(attrs: A, context: DecomposeContext): DecomposedNormalizer;
  /** The WGSL of the tiled kernel: state, passes over the key tiles, finish, output scale. */
  kernel(attrs: A, context: KernelHookContext): NormalizerCode;
  /** The split-keys kernel's hook; absent: such nodes always run the tiled kernel. */
  readonly splitKeys?: SplitHook<A>;
  /** Whether the tiled kernel may use its several-rows-per-invocation plain softmax code instead of the hooks. */
  plainSoftmax?(attrs: A): boolean;
}

/** A def with its types erased, as tables and nodes hold them. */
// biome-ignore lint/suspicious/noExplicitAny: a table holds defs of every option and attrs type.
export type AnyNormalizerDef = NormalizerDef<any, any>;

/** A normalizer of an attention spec: the def and its checked options (made by a builder). */
export interface Normalizer {
  /** Discriminant of spec parts. */
  readonly kind: 'normalizer';
  /** The def's name. */
  readonly name: string;
  /** How it is computed. */
  readonly def: AnyNormalizerDef;
  /** Its checked options. */
  readonly options: unknown;
}
