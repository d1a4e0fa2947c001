import type { Node } from '@weft/ir';
import type { KernelContext, RenderedExprs } from '@weft/wgsl';
import type { L1DistanceCode } from './l1-distance-code.js';
import type { RowCode } from './row-code.js';
import { headRowOffset } from './view-offsets.js';
import { constantNotes, indent, type KernelFunctions, SCORE_STRUCT, wrapSum } from './wgsl-functions.js';

/** What {@link queryScoreFunctions} needs from the template. */
export interface QueryScoreContext {
  readonly context: KernelContext;
  readonly functions: KernelFunctions;
  /** Row loads: QK norm and RoPE of the query row. */
  readonly rows: RowCode;
  /** Query operand. */
  readonly query: Node;
  readonly headDim: number;
  /** The rendered score. */
  readonly score: RenderedExprs;
  /** The rendered mask predicate, if any. */
  readonly mask: RenderedExprs | undefined;
  /** The l1 distance the score may read. */
  readonly distance: L1DistanceCode;
  /**
   * Evaluate the mask without a branch (its verdict goes into `Score.kept`, the dot product runs
   * anyway; the mask's and score's `&&`/`||` become `&`/`|`): for kernels that inline many `score_key` calls, where a branch in each multiplies the
   * control flow the shader compiler must handle (the several-rows kernel scores rows × keys at once).
   */
  readonly branchFreeMask?: boolean;
}

/** Calls of the query row and score helpers (a parameter's argument defaults to its own name). */
export interface QueryScoreFunctions {
  /** `load_query_row(q_i)`: the prepared query row as vec4s. */
  loadQueryRow(args?: Readonly<Record<string, string>>): string;
  /** `score_key(…)`: a `Score` (value, and whether the mask keeps the pair). */
  scoreKey(args?: Readonly<Record<string, string>>): string;
  /** WGSL type of a query or staged key row as vec4s (the `query` parameter of tile helpers). */
  readonly keyArray: string;
}

/**
 * Defines `load_query_row` (the query row, prepared and packed as vec4s) and `score_key` (one
 * score, the mask predicate first) for the tiled kernel. Staged K rows are vec4s likewise, so each
 * score is ⌈d/4⌉ dot products at constant indices.
 */
export function queryScoreFunctions(parts: QueryScoreContext): QueryScoreFunctions {
  const { context, functions, rows, query, headDim, score, mask, distance } = parts;
  const keyVectors = Math.ceil(headDim / 4);
  const keyArray = `array<vec4<f32>, ${keyVectors}>`;
  const half = context.half;
  // The f16 tier holds the query row in f16 scaled by a power of two near 1/√d (exact in f16): the
  // scaled row, and a QKᵀ partial sum of it in f16, stay far inside the f16 range (a QKᵀ accumulated
  // in f16 without it overflows once |q·k| > 65504). Dots accumulate in f32; the raw score is
  // scaled back there, so every score mod sees the same value.
  const queryScale = half.precision === 'f32' ? 1 : queryPrescale(headDim);
  const loadQueryRow = functions.define({
    name: 'load_query_row',
    comment: 'Query row q_i, prepared (QK norm, RoPE) and packed as vec4s (zero past the head dim).',
    params: [['q_i', 'i32']],
    returns: keyArray,
    body: [
      `let query_flat = ${headRowOffset(context, query, 'q_i', headDim)};`,
      `var row: array<f32, ${headDim}>;`,
      ...rows.fillRow(
        'query',
        (index) => context.load(query, `query_flat + ${index}`),
        'q_i + nk - nq',
        (d) => `row[${d}]`,
      ),
      `return ${keyArray}(`,
      ...Array.from({ length: keyVectors }, (_, vector) => {
        const lanes = `vec4<f32>(${Array.from({ length: 4 }, (_, lane) => (4 * vector + lane < headDim ? `row[${4 * vector + lane}]` : '0.0')).join(', ')})`;
        return `  ${queryScale === 1 ? lanes : half.widen4(half.toHalf4(`${literalOf(queryScale)} * ${lanes}`))},`;
      }),
      ');',
    ],
  });
  functions.add(SCORE_STRUCT);
  const scoreKey = functions.define({
    name: 'score_key',
    comment:
      'The score of query q_i (vec4s `query`) against key key_i (vec4s `key`), and whether the mask keeps\n' +
      'the pair (tile_kind 1: a partial tile, where the mask runs; 2: every pair of the tile is kept).',
    params: [
      ['q_i', 'i32'],
      ['query', keyArray],
      ['key_i', 'i32'],
      ['key', keyArray],
      ['tile_kind', 'u32'],
      ['tile_k0', 'i32'],
      ['tile_k1', 'i32'],
    ],
    returns: 'Score',
    body: [
      ...(mask === undefined || parts.branchFreeMask === true
        ? []
        : [
            // The predicate runs first so that masked keys cost no dot product.
            'if (tile_kind == 1u) {',
            ...indent(mask.lines, 1),
            `  if (!(${mask.values[0]})) {`,
            '    return Score(0.0, false);',
            '  }',
            '}',
          ]),
      ...(mask === undefined || parts.branchFreeMask !== true
        ? []
        : [
            ...mask.lines.map(eagerLogic),
            // Only a partial tile (kind 1) asks the mask; `|` evaluates both sides, no branch.
            `let kept = (tile_kind != 1u) | (${eagerLogic(mask.values[0]!)});`,
          ]),
      ...distance.declare,
      ...Array.from({ length: headDim }, (_, d) =>
        distance.accumulate(`query[${d >> 2}][${d & 3}]`, `key[${d >> 2}][${d & 3}]`),
      ).flat(),
      ...constantNotes(score.lines.concat(score.values), headDim),
      ...wrapSum(
        queryScale === 1 ? 'let raw = ' : 'let scaled_raw = ',
        Array.from({ length: keyVectors }, (_, vector) => `dot(query[${vector}], key[${vector}])`),
      ),
      ...(queryScale === 1 ? [] : [`let raw = scaled_raw * ${literalOf(1 / queryScale)};`]),
      ...(parts.branchFreeMask === true ? score.lines.map(eagerLogic) : score.lines),
      `return Score(${parts.branchFreeMask === true ? eagerLogic(score.values[0]!) : score.values[0]}, ${mask === undefined || parts.branchFreeMask !== true ? 'true' : 'kept'});`,
    ],
  });
  return { loadQueryRow, scoreKey, keyArray };
}

/**
 * The power of two nearest 1/√headDim: the f16 tier's query pre-scale. A power of two scales an
 * f16 value exactly (short of the subnormals), so pre-scaling adds no rounding.
 */
export function queryPrescale(headDim: number): number {
  return 2 ** Math.round(-0.5 * Math.log2(headDim));
}

/** WGSL f32 literal of a power of two. */
function literalOf(value: number): string {
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/**
 * Rendered boolean code with `&&` / `||` as `&` / `|`: the same value on bools (the renderer
 * parenthesizes every compound operand, and mask operands have no effects) without a short-circuit
 * branch each.
 */
function eagerLogic(code: string): string {
  return code.replaceAll(' && ', ' & ').replaceAll(' || ', ' | ');
}
