import type { Node } from '@weft/ir';
import type { KernelContext } from '@weft/wgsl';
import type { AttentionAttrs, QkNormSideAttrs } from '../op/attention-attrs.js';
import { ropeTurns } from '../op/rope-turns.js';

/** WGSL of the query/key/value row loads shared by the tiled and split-keys attention kernels. */
export interface RowCode {
  /**
   * Statements run once `b_i`, `h_i` and `nk` exist: the key and value heads of `h_i` (the
   * `kvHead`/`valueHead` variables of score mods and masks), the KV row base and weighted-GQA weights.
   */
  readonly header: readonly string[];
  /** Whether rows need statistics over the head dim (QK norm) before they can be rotated. */
  readonly needsWholeRow: boolean;
  /** WGSL f32 of element `index` of key `key`'s key or value row (mixed over KV heads for weighted GQA). */
  kvLoad(tensor: 'key' | 'value', key: string, index: string): string;
  /** Statements setting `rotated` to element `d` of the RoPE-rotated row read by `load` (no QK norm). */
  rotated(load: (index: string) => string, d: string, position: string): string[];
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
export function rowCode(context: KernelContext, attrs: AttentionAttrs, node: Node): RowCode {
  const [, key, value] = node.inputs as [Node, Node, Node];
  const headDim = attrs.headDim;
  const captured = (name: string): Node =>
    node.inputs[3 + attrs.tensors.findIndex((use) => use.name === name)]!;
  const weights = attrs.kvWeights === null ? undefined : captured(attrs.kvWeights);
  const group = attrs.heads / attrs.kvHeads;
  // Decoupled value heads (DiffQKV) index V with their own group: ⌊h·Hv/H⌋ = h / (H/Hv).
  const valueRow = attrs.valueHeads === attrs.kvHeads ? 'kv_row' : 'value_row';
  const headIndices = [
    `let kv_head_i = h_i * ${attrs.kvHeads} / ${attrs.heads};`,
    `let value_head_i = h_i * ${attrs.valueHeads} / ${attrs.heads};`,
  ];
  const header = [
    ...headIndices,
    ...(weights === undefined
      ? [
          `let kv_row = (b_i * ${attrs.kvHeads} + h_i / ${group}) * nk;`,
          ...(valueRow === 'kv_row'
            ? []
            : [
                `let value_row = (b_i * ${attrs.valueHeads} + h_i / ${attrs.heads / attrs.valueHeads}) * nk;`,
              ]),
        ]
      : [
          `let kv_batch = b_i * ${attrs.kvHeads};`,
          ...Array.from(
            { length: attrs.kvHeads },
            (_, j) => `let kv_weight_${j} = ${context.load(weights, `h_i * ${attrs.kvHeads} + ${j}`)};`,
          ),
        ]),
  ];
  const kvLoad = (tensor: 'key' | 'value', keyIndex: string, index: string): string => {
    const source = tensor === 'key' ? key : value;
    const dim = tensor === 'key' ? headDim : attrs.valueDim;
    const row = tensor === 'key' ? 'kv_row' : valueRow;
    if (weights === undefined) return context.load(source, `(${row} + ${keyIndex}) * ${dim} + ${index}`);
    const terms = Array.from(
      { length: attrs.kvHeads },
      (_, j) =>
        `kv_weight_${j} * ${context.load(source, `((kv_batch + ${j}) * nk + ${keyIndex}) * ${dim} + ${index}`)}`,
    );
    return `(${terms.join(' + ')})`;
  };

  const rope = attrs.rope;
  const rotated = (load: (index: string) => string, d: string, position: string): string[] => {
    if (rope === null) return [`rotated = ${load(d)};`];
    const axisDims = rope.grid === null ? rope.rotaryDims : rope.rotaryDims / 2;
    const half = axisDims / 2;
    const local = rope.grid === null ? d : `(${d} % ${axisDims})`;
    const first = rope.layout === 'half' ? `${local} < ${half}` : `${local} % 2 == 0`;
    const step = rope.layout === 'half' ? half : 1;
    const pair = rope.layout === 'half' ? `${local} % ${half}` : `${local} / 2`;
    // 2-D: row ⌊p/W⌋ and column p − W⌊p/W⌋ (floor, also for the negative positions of extra queries).
    const width = rope.grid?.[1];
    const axisPosition =
      width === undefined
        ? `i32(${position})`
        : `select(((i32(${position}) % ${width}) + ${width}) % ${width}, (i32(${position}) - ((i32(${position}) % ${width}) + ${width}) % ${width}) / ${width}, ${d} < ${axisDims})`;
    // The angle in turns from the split float64 frequencies (see ropeTurns), sin and cos by polynomial.
    context.helpers.add('weft_sin_cos_turns');
    const turns = ropeTurns(rope);
    const table = (values: readonly number[]) =>
      `array<f32, ${values.length}>(${values.map((value) => literal(value)).join(', ')})`;
    return [
      `rotated = ${load(d)};`,
      `if (${d} < ${rope.rotaryDims}) {`,
      `  let first = ${first};`,
      `  let rope_pair = ${pair};`,
      `  let rope_position = f32(${axisPosition});`,
      `  let rope_hi = rope_position * ${table(turns.hi)}[rope_pair];`,
      `  let rope_mid = rope_position * ${table(turns.mid)}[rope_pair];`,
      `  let rope_turns = (rope_hi - round(rope_hi)) + (rope_mid - round(rope_mid)) + rope_position * ${table(turns.lo)}[rope_pair];`,
      '  let rope_sin_cos = weft_sin_cos_turns(rope_turns);',
      `  rotated = rotated * rope_sin_cos.y + select(1.0, -1.0, first) * ${load(`select(${d} - ${step}, ${d} + ${step}, first)`)} * rope_sin_cos.x;`,
      '}',
    ];
  };

  const norm = attrs.qkNorm;
  const fillRow = (
    side: 'query' | 'key',
    load: (index: string) => string,
    position: string,
    target: (d: string) => string,
  ): string[] => {
    const rotate = (source: (index: string) => string) => [
      `for (var d = 0; d < ${headDim}; d++) {`,
      '  var rotated = 0.0;',
      ...indent(rotated(source, 'd', position), 1),
      `  ${target('d')} = rotated;`,
      '}',
    ];
    if (norm === null) return rotate(load);
    const parameters: QkNormSideAttrs = norm[side];
    const gamma =
      parameters.gamma === null
        ? ''
        : ` * ${context.load(captured(parameters.gamma), captured(parameters.gamma).shape[0] === 1 ? '0' : 'd')}`;
    const beta = parameters.beta === null ? '' : ` + ${context.load(captured(parameters.beta), 'd')}`;
    const inverse =
      norm.kind === 'l2'
        ? `1.0 / max(sqrt(norm_squares), ${literal(norm.epsilon)})`
        : `inverseSqrt(norm_squares / ${headDim}.0 + ${literal(norm.epsilon)})`;
    return [
      '{',
      `  var norm_row: array<f32, ${headDim}>;`,
      '  var norm_mean = 0.0;',
      `  for (var d = 0; d < ${headDim}; d++) {`,
      `    norm_row[d] = ${load('d')};`,
      ...(norm.kind === 'layer' ? ['    norm_mean += norm_row[d];'] : []),
      '  }',
      ...(norm.kind === 'layer' ? [`  norm_mean = norm_mean / ${headDim}.0;`] : []),
      '  var norm_squares = 0.0;',
      `  for (var d = 0; d < ${headDim}; d++) {`,
      '    let centered = norm_row[d] - norm_mean;',
      '    norm_squares += centered * centered;',
      '  }',
      `  let norm_inverse = ${inverse};`,
      `  for (var d = 0; d < ${headDim}; d++) {`,
      `    norm_row[d] = (norm_row[d] - norm_mean) * norm_inverse${gamma}${beta};`,
      '  }',
      ...indent(
        rotate((index) => `norm_row[${index}]`),
        1,
      ),
      '}',
    ];
  };
  return { header, needsWholeRow: norm !== null, kvLoad, rotated, fillRow };
}

function literal(value: number): string {
  if (Number.isInteger(value)) return `${value}.0`;
  return Math.abs(value) < 1e-6 ? value.toExponential() : String(value);
}

function indent(lines: readonly string[], levels: number): string[] {
  return lines.map((line) => `${'  '.repeat(levels)}${line}`);
}
