import { type Expr, variable } from '@weft/ir';

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
  q: 'q',
  k: 'k',
  queryLength: 'queryLength',
  keyLength: 'keyLength',
  queryStart: 'queryStart',
  queryEnd: 'queryEnd',
  keyStart: 'keyStart',
  keyEnd: 'keyEnd',
} as const;

/** The index variables handed to score and mask hooks. */
export const ATTENTION_INDICES: AttentionIndices = Object.freeze({
  b: variable(VARIABLE_NAMES.b, 'i32'),
  h: variable(VARIABLE_NAMES.h, 'i32'),
  q: variable(VARIABLE_NAMES.q, 'i32'),
  k: variable(VARIABLE_NAMES.k, 'i32'),
  queryLength: variable(VARIABLE_NAMES.queryLength, 'i32'),
  keyLength: variable(VARIABLE_NAMES.keyLength, 'i32'),
});

/** The raw score `q·k` before any score mod (f32). */
export const SCORE: Expr = variable(VARIABLE_NAMES.score, 'f32');

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
