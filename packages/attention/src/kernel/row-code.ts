import type { Node } from '@weft/ir';
import type { KernelContext } from '@weft/wgsl';
import type { AttentionAttrs, QkNormSideAttrs } from '../op/attention-attrs.js';
import { ropeTurns } from '../op/rope-turns.js';
import { rowOffset } from './view-offsets.js';
import { indent, type KernelFunctions } from './wgsl-functions.js';

/** WGSL of the query/key/value row loads shared by the tiled and split-keys attention kernels. */
export interface RowCode {
  /**
   * Statements run once `b_i`, `h_i` and `nk` exist: the key and value heads of `h_i` (the
   * `kvHead`/`valueHead` variables of score mods and masks), the KV row base and weighted-GQA weights.
   */
  readonly header: readonly string[];
  /** Whether rows are rotated (RoPE). */
  readonly rotates: boolean;
  /** Whether rows need statistics over the head dim (QK norm) before they can be rotated. */
  readonly needsWholeRow: boolean;
  /** WGSL f32 of element `index` of key `key`'s key or value row (mixed over KV heads for weighted GQA). */
  kvLoad(tensor: 'key' | 'value', key: string, index: string): string;
  /** WGSL f32 of element `d` of the RoPE-rotated row read by `load` (no QK norm). */
  rotated(load: (index: string) => string, d: string, position: string): string;
  /** Statements setting `target(d)` for every d to the normalized, scaled and rotated row read by `load`. */
  fillRow(
    side: 'query' | 'key',
    load: (index: string) => string,
    position: string,
    target: (d: string) => string,
  ): string[];
}

/**
 * Builds the row code of an attention kernel: weighted GQA mixes the KV heads in the loads
 * (K_h = Σ_j w[h, j]·K_j), QK norm computes the row's statistic over d when the row is loaded,
 * then γ, β and RoPE (1-D, or 2-D by row and column of the token grid) apply in that order.
 */
export function rowCode(
  context: KernelContext,
  attrs: AttentionAttrs,
  node: Node,
  functions: KernelFunctions,
): RowCode {
  const [, key, value] = node.inputs as [Node, Node, Node];
  const headDim = attrs.headDim;
  const captured = (name: string): Node =>
    node.inputs[3 + attrs.tensors.findIndex((use) => use.name === name)]!;
  const weights = attrs.kvWeights === null ? undefined : captured(attrs.kvWeights);
  const group = attrs.heads / attrs.kvHeads;
  const valueGroup = attrs.heads / attrs.valueHeads;
  // Decoupled value heads (DiffQKV) index V with their own group: ⌊h·Hv/H⌋ = h / (H/Hv).
  const valueRow = attrs.valueHeads === attrs.kvHeads ? 'kv_row' : 'value_row';
  // Row base of head `head` of `heads`: (b·heads + head)·nk, or bh·nk where that head is h itself.
  const rowBase = (heads: number, head: string) =>
    heads === attrs.heads ? 'bh * nk' : `(b_i * ${heads} + ${head}) * nk`;
  const header = [
    `let kv_head_i = ${group === 1 ? 'h_i' : `h_i / ${group}`};`,
    `let value_head_i = ${valueGroup === 1 ? 'h_i' : `h_i / ${valueGroup}`};`,
    ...(weights === undefined
      ? [
          `let kv_row = ${rowBase(attrs.kvHeads, 'kv_head_i')};`,
          ...(valueRow === 'kv_row' ? [] : [`let value_row = ${rowBase(attrs.valueHeads, 'value_head_i')};`]),
        ]
      : [
          `let kv_batch = b_i * ${attrs.kvHeads};`,
          ...Array.from(
            { length: attrs.kvHeads },
            (_, j) =>
              `let kv_weight_${j} = ${context.load(weights, `h_i * ${attrs.kvHeads}${j === 0 ? '' : ` + ${j}`}`)};`,
          ),
        ]),
  ];
  const kvLoad = (tensor: 'key' | 'value', keyIndex: string, index: string): string => {
    const source = tensor === 'key' ? key : value;
    const dim = tensor === 'key' ? headDim : attrs.valueDim;
    const row = tensor === 'key' ? 'kv_row' : valueRow;
    const head = tensor === 'value' && valueRow === 'value_row' ? 'value_head_i' : 'kv_head_i';
    if (weights === undefined) {
      const base = rowOffset(context, source, 'b_i', head, keyIndex, `(${row} + ${keyIndex}) * ${dim}`);
      return context.load(source, `${base} + ${index}`);
    }
    const terms = Array.from({ length: attrs.kvHeads }, (_, j) => {
      const rowMajor = `((kv_batch${j === 0 ? '' : ` + ${j}`}) * nk + ${keyIndex}) * ${dim}`;
      const base = rowOffset(context, source, 'b_i', String(j), keyIndex, rowMajor);
      return `kv_weight_${j} * ${context.load(source, `${base} + ${index}`)}`;
    });
    return `(${terms.join(' + ')})`;
  };

  const rope = attrs.rope;
  if (rope !== null) {
    context.helpers.add('weft_sin_cos_turns');
    functions.add(ropeFunctions(rope, headDim));
  }
  const rotated = (load: (index: string) => string, d: string, position: string): string =>
    rope === null ? load(d) : `rope_rotate(${load(d)}, ${load(`rope_partner(${d})`)}, ${d}, ${position})`;

  const norm = attrs.qkNorm;
  const fillRow = (
    side: 'query' | 'key',
    load: (index: string) => string,
    position: string,
    target: (d: string) => string,
  ): string[] => {
    const rotate = (source: (index: string) => string) => [
      `for (var d = 0; d < ${headDim}; d++) {`,
      `  ${target('d')} = ${rotated(source, 'd', position)};`,
      '}',
    ];
    if (norm === null) return rotate(load);
    const parameters: QkNormSideAttrs = norm[side];
    const gamma =
      parameters.gamma === null
        ? ''
        : ` * ${context.load(captured(parameters.gamma), captured(parameters.gamma).shape[0] === 1 ? '0' : 'd')}`;
    const beta = parameters.beta === null ? '' : ` + ${context.load(captured(parameters.beta), 'd')}`;
    // The statistics of @weft/norms (standardize, scaledInverseRoot, unitNormalize), so the kernel
    // matches the decomposition: the mean corrected once, rows scaled by max|x| before squaring
    // (no overflow of x² near 1e20).
    const epsilon = literal(norm.epsilon);
    const normalize =
      norm.kind === 'l2'
        ? [
            '  let norm_length = norm_safe * sqrt(norm_squares);',
            `  let norm_inverse = 1.0 / ${norm.epsilon > 0 ? `max(norm_length, ${epsilon})` : 'norm_length'};`,
            `  for (var d = 0; d < ${headDim}; d++) {`,
            `    norm_row[d] = norm_row[d] * norm_inverse${gamma}${beta};`,
            '  }',
          ]
        : [
            `  let norm_floor = select(${epsilon}, ${epsilon} / norm_safe / norm_safe, norm_scale > 1.0);`,
            `  let norm_inverse = inverseSqrt(norm_squares / ${headDim}.0 + norm_floor);`,
            `  for (var d = 0; d < ${headDim}; d++) {`,
            `    norm_row[d] = norm_row[d] / norm_safe * norm_inverse${gamma}${beta};`,
            '  }',
          ];
    // ℓ2 divides by any positive max|x|; RMS and LayerNorm only rows with max|x| > 1 (ε/s² stays finite).
    const scaleAbove = norm.kind === 'l2' ? '0.0' : '1.0';
    return [
      '{',
      `  var norm_row: array<f32, ${headDim}>;`,
      ...(norm.kind === 'layer' ? ['  var norm_mean = 0.0;'] : []),
      `  for (var d = 0; d < ${headDim}; d++) {`,
      `    norm_row[d] = ${load('d')};`,
      ...(norm.kind === 'layer' ? ['    norm_mean += norm_row[d];'] : []),
      '  }',
      ...(norm.kind === 'layer'
        ? [
            `  norm_mean = norm_mean / ${headDim}.0;`,
            '  var norm_correction = 0.0;',
            `  for (var d = 0; d < ${headDim}; d++) {`,
            '    norm_row[d] = norm_row[d] - norm_mean;',
            '    norm_correction += norm_row[d];',
            '  }',
            `  norm_correction = norm_correction / ${headDim}.0;`,
          ]
        : []),
      '  var norm_scale = 0.0;',
      `  for (var d = 0; d < ${headDim}; d++) {`,
      ...(norm.kind === 'layer' ? ['    norm_row[d] = norm_row[d] - norm_correction;'] : []),
      '    norm_scale = max(norm_scale, abs(norm_row[d]));',
      '  }',
      `  let norm_safe = select(1.0, norm_scale, norm_scale > ${scaleAbove});`,
      '  var norm_squares = 0.0;',
      `  for (var d = 0; d < ${headDim}; d++) {`,
      '    let scaled = norm_row[d] / norm_safe;',
      '    norm_squares += scaled * scaled;',
      '  }',
      ...normalize,
      ...indent(
        rotate((index) => `norm_row[${index}]`),
        1,
      ),
      '}',
    ];
  };
  return { header, rotates: rope !== null, needsWholeRow: norm !== null, kvLoad, rotated, fillRow };
}

/**
 * The RoPE helpers: `rope_partner(d)` is the dim that element d rotates with (d ± half for the
 * half layout, the neighbour for the interleaved one; d itself past the rotary dims), and
 * `rope_rotate(x, partner, d, position)` rotates x by the angle of its pair at `position` (2-D
 * RoPE: the token's row for the first half of the rotary dims, its column for the second).
 */
function ropeFunctions(rope: NonNullable<AttentionAttrs['rope']>, headDim: number): string[] {
  const axisDims = rope.grid === null ? rope.rotaryDims : rope.rotaryDims / 2;
  const half = axisDims / 2;
  const partial = rope.rotaryDims < headDim;
  // The dim within its axis (2-D RoPE rotates each half of the rotary dims by its own axis).
  const local = rope.grid === null ? 'd' : 'local';
  const localLet = rope.grid === null ? [] : [`  let local = d % ${axisDims};`];
  const first = rope.layout === 'half' ? `${local} < ${half}` : `${local} % 2 == 0`;
  const step = rope.layout === 'half' ? half : 1;
  const pair = rope.layout === 'half' ? `${local} % ${half}` : `${local} / 2`;
  // 2-D: row ⌊p/W⌋ and column p − W⌊p/W⌋ (floor, also for the negative positions of extra queries).
  const width = rope.grid?.[1];
  const gridLets =
    width === undefined
      ? []
      : [
          `  let column = ((position % ${width}) + ${width}) % ${width};`,
          `  let axis_position = select(column, (position - column) / ${width}, d < ${axisDims});`,
        ];
  const axisPosition = width === undefined ? 'position' : 'axis_position';
  const pass = partial ? [`  if (d >= ${rope.rotaryDims}) {`, '    return d;', '  }'] : [];
  const turns = ropeTurns(rope);
  const table = (name: string, values: readonly number[]): string[] => {
    const texts = values.map((value) => literal(value));
    const rows = Array.from({ length: Math.ceil(texts.length / 6) }, (_, row) =>
      texts.slice(row * 6, row * 6 + 6).join(', '),
    );
    return [`const ${name} = array<f32, ${values.length}>(`, ...rows.map((row) => `  ${row},`), ');'];
  };
  return [
    `// RoPE (${rope.layout} layout${rope.grid === null ? '' : `, 2-D over a ${rope.grid[0]}×${rope.grid[1]} grid`}):`,
    `// pair i turns by base^(-2i / ${axisDims}) / 2π per position (base ${rope.base}), split in float64 into`,
    '// hi + mid + lo: hi and mid have 8 significant bits, so position · hi and position · mid are exact',
    '// in f32 and the angle modulo one turn keeps ~1e-7 turns up to position 65 535.',
    ...table('rope_turns_hi', turns.hi),
    ...table('rope_turns_mid', turns.mid),
    ...table('rope_turns_lo', turns.lo),
    '',
    '// The dim that element d of a row rotates with.',
    'fn rope_partner(d: i32) -> i32 {',
    ...pass,
    ...localLet,
    `  return select(d - ${step}, d + ${step}, ${first});`,
    '}',
    '',
    '// Element d of a row at token `position`, rotated with its partner element by the angle of its pair.',
    'fn rope_rotate(x: f32, partner: f32, d: i32, position: i32) -> f32 {',
    ...(partial ? [`  if (d >= ${rope.rotaryDims}) {`, '    return x;', '  }'] : []),
    ...localLet,
    ...gridLets,
    `  let first = ${first};`,
    `  let pair = ${pair};`,
    `  let p = f32(${axisPosition});`,
    '  let hi = p * rope_turns_hi[pair];',
    '  let mid = p * rope_turns_mid[pair];',
    '  let turns = (hi - round(hi)) + (mid - round(mid)) + p * rope_turns_lo[pair];',
    '  let sin_cos = weft_sin_cos_turns(turns);',
    '  return x * sin_cos.y + select(1.0, -1.0, first) * partner * sin_cos.x;',
    '}',
  ];
}

function literal(value: number): string {
  if (Number.isInteger(value)) return `${value}.0`;
  return Math.abs(value) < 1e-6 ? value.toExponential() : String(value);
}
