import { type Expr, exprNodes, variable } from '@weft/ir';

/**
 * The free variables of attention Exprs (score mods, mask predicates, block rules). Score and mask
 * hooks receive them as arguments; the reference binds them per (batch, head, query, key) and the
 * fused kernel maps them to its loop indices.
 */
export interface AttentionIndices {
  /** Batch index (i32). */
  readonly b: Expr;
  /** Query head index (i32). */
  readonly h: Expr;
  /** Key head that query head h reads, ⌊h·kvHeads/heads⌋ (i32): indexes per-key tensors `[B, kvHeads, Nk]`. */
  readonly kvHead: Expr;
  /** Value head that query head h reads, ⌊h·valueHeads/heads⌋ (i32). */
  readonly valueHead: Expr;
  /** Query index, 0-based within this call (i32). */
  readonly q: Expr;
  /** Key index (i32). */
  readonly k: Expr;
  /** Number of queries of this call (i32). */
  readonly queryLength: Expr;
  /** Number of keys of this call (i32). */
  readonly keyLength: Expr;
}

/** Variable names of {@link ATTENTION_INDICES} and the score variable, as they appear in Exprs. */
export const VARIABLE_NAMES = {
  score: 'score',
  b: 'b',
  h: 'h',
  kvHead: 'kvHead',
  valueHead: 'valueHead',
  q: 'q',
  k: 'k',
  queryLength: 'queryLength',
  keyLength: 'keyLength',
  queryStart: 'queryStart',
  queryEnd: 'queryEnd',
  keyStart: 'keyStart',
  keyEnd: 'keyEnd',
  l1Distance: 'l1Distance',
} as const;

/** The index variables handed to score and mask hooks. */
export const ATTENTION_INDICES: AttentionIndices = Object.freeze({
  b: variable(VARIABLE_NAMES.b, 'i32'),
  h: variable(VARIABLE_NAMES.h, 'i32'),
  kvHead: variable(VARIABLE_NAMES.kvHead, 'i32'),
  valueHead: variable(VARIABLE_NAMES.valueHead, 'i32'),
  q: variable(VARIABLE_NAMES.q, 'i32'),
  k: variable(VARIABLE_NAMES.k, 'i32'),
  queryLength: variable(VARIABLE_NAMES.queryLength, 'i32'),
  keyLength: variable(VARIABLE_NAMES.keyLength, 'i32'),
});

/**
 * The key or value head query head `h` reads, ⌊h·groupHeads/heads⌋ (i32): what the head variables
 * {@link AttentionIndices.kvHead} and {@link AttentionIndices.valueHead} stand for.
 */
export function groupHeadOf(h: Expr, heads: number, groupHeads: number): Expr {
  return h.mul(groupHeads).div(heads);
}

/** The raw score `q·k` before any score mod (f32). */
export const SCORE: Expr = variable(VARIABLE_NAMES.score, 'f32');

/**
 * The L1 distance d_ij = Σ_d |q_d − k_d| of the prepared query and key rows (after weighted-GQA
 * mixing, QK norm and RoPE; unscaled), f32. Only score mods may read it: the kernels accumulate it
 * next to the dot product, and only when the score reads it.
 */
export const L1_DISTANCE: Expr = variable(VARIABLE_NAMES.l1Distance, 'f32');

/** What a custom score mod receives besides the score: the indices and the per-pair L1 distance. */
export interface ScoreModVariables extends AttentionIndices {
  /** {@link L1_DISTANCE}: Σ_d |q_d − k_d| of the prepared rows (f32). */
  readonly l1Distance: Expr;
}

/** The variables handed to custom score mods. */
export const SCORE_MOD_VARIABLES: ScoreModVariables = Object.freeze({
  ...ATTENTION_INDICES,
  l1Distance: L1_DISTANCE,
});

/** Whether `expr` reads the per-pair L1 distance (the kernels compute it only then). */
export function readsL1Distance(expr: Expr): boolean {
  return exprNodes(expr).some((node) => node.kind === 'var' && node.payload === VARIABLE_NAMES.l1Distance);
}

/**
 * Bounds of a (query block, key block) pair, inclusive, for block rules: a rule is an Expr over
 * these (and `b`, `h`, the lengths) that is true when the block is certainly empty or certainly full.
 */
export const BLOCK_BOUNDS = Object.freeze({
  queryStart: variable(VARIABLE_NAMES.queryStart, 'i32'),
  queryEnd: variable(VARIABLE_NAMES.queryEnd, 'i32'),
  keyStart: variable(VARIABLE_NAMES.keyStart, 'i32'),
  keyEnd: variable(VARIABLE_NAMES.keyEnd, 'i32'),
});
