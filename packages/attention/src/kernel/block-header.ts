import type { Dim, Node } from '@weft/ir';
import type { AttentionAttrs } from '../op/attention-attrs.js';
import type { BlockField } from './wgsl-functions.js';

/** What {@link blockHeader} needs from the template. */
export interface BlockHeaderContext {
  readonly attrs: AttentionAttrs;
  /** Query operand (its batch and length give `bh` and `nq`). */
  readonly query: Node;
  /** Key operand (its length gives `nk`). */
  readonly key: Node;
  /** Query rows per workgroup of the tiled kernel. */
  readonly queryBlock: number;
  /** Keys per staged tile of the tiled kernel. */
  readonly keyBlock: number;
  /** WGSL i32 text of a dim (a literal, or the `params` field of a run-time length). */
  size(dim: Dim): string;
}

/** The lets every kernel variant starts its entry with, and the `Block` fields helpers may read. */
export interface BlockHeader {
  /**
   * The per-workgroup lets of the entry: lengths, batch·head, the query (split keys, one per
   * workgroup) or query block (tiled), and `rowLets` (the K/V rows, see `RowCode.header`).
   */
  lets(rowLets: readonly string[], split: boolean): string[];
  /** The `Block` fields that `lines` declare (`let name = …`): the values helpers may read. */
  declared(lines: readonly string[]): BlockField[];
}

/** The entry header of the attention kernel (see {@link BlockHeader}). */
export function blockHeader(context: BlockHeaderContext): BlockHeader {
  const { attrs, query, key, queryBlock, keyBlock, size } = context;
  const heads = attrs.heads;
  const batchHeads =
    typeof query.shape[0] === 'number'
      ? String(query.shape[0] * heads)
      : `${size(query.shape[0]!)} * ${heads}`;
  const fields: BlockField[] = [
    ...FIELD_NAMES.map((name) => ({ name, type: 'i32' })),
    ...Array.from({ length: attrs.kvHeads }, (_, j) => ({ name: `kv_weight_${j}`, type: 'f32' })),
    { name: 'q_i', type: 'i32' },
    { name: 'block_q0', type: 'i32' },
    { name: 'block_q1', type: 'i32' },
  ];
  return {
    lets: (rowLets, split) => [
      `let nq = ${size(query.shape[2]!)};`,
      `let nk = ${size(key.shape[2]!)};`,
      ...(split
        ? ['let q_i = i32(workgroup_index) % nq;', 'let bh = i32(workgroup_index) / nq;']
        : [
            `let query_blocks = (nq + ${queryBlock - 1}) / ${queryBlock};`,
            'let block_q = i32(workgroup_index) % query_blocks;',
            'let bh = i32(workgroup_index) / query_blocks;',
          ]),
      `if (bh >= ${batchHeads}) {`,
      '  return;',
      '}',
      `let h_i = bh % ${heads};`,
      `let b_i = bh / ${heads};`,
      ...rowLets,
      ...(split
        ? []
        : [
            `let block_q0 = block_q * ${queryBlock};`,
            `let block_q1 = min(block_q0 + ${queryBlock}, nq) - 1;`,
            `let key_tiles = (nk + ${keyBlock - 1}) / ${keyBlock};`,
          ]),
    ],
    declared: (lines) =>
      fields.filter((field) => lines.some((line) => line.startsWith(`let ${field.name} = `))),
  };
}

/** The i32 fields of `Block` (before the weighted-GQA weights and the query fields). */
const FIELD_NAMES = [
  'nq',
  'nk',
  'bh',
  'b_i',
  'h_i',
  'kv_head_i',
  'value_head_i',
  'kv_row',
  'value_row',
  'kv_batch',
];
