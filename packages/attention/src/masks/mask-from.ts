import { constant, read, SpecError, type TensorRef } from '@weft/ir';
import { ATTENTION_INDICES as I } from '../spec/attention-variables.js';
import { checkBoolean, checkOptions, checkTensorRef } from '../spec/validate.js';
import { BLOCK_TABLE_MULTIPLE, blockTableMask } from './block-table.js';
import { type Mask, makeMask, UNKNOWN_BLOCK_RULE } from './mask.js';
import { maskTileTable } from './mask-tiles.js';

/** Options of {@link maskFrom}. */
export interface MaskFromOptions {
  /**
   * Classify key tiles on the device: graph ops pool the tensor into a table of the 32 × 32 blocks
   * that keep any pair ({@link maskTileTable}), and the fused kernel skips every tile whose block keeps
   * none (no K or V load). Default false: every tile runs the predicate.
   */
  readonly skipEmptyTiles?: boolean;
}

/**
 * A mask read from a tensor: keeps (b, h, q, k) where `tensor` is non-zero. `tensor`: `[queries, keys]`
 * or `[batch | 1, heads | 1, queries, keys]` (size-1 axes broadcast).
 *
 * @example
 * ```ts
 * // The kernel skips the 32 × 32 tiles the tensor masks entirely (the table is built on the device).
 * attention({ heads: 4, headDim: 64, mask: maskFrom(tensorRef('keep', [1, 1, 256, 256], 'i32'), { skipEmptyTiles: true }) });
 * ```
 */
export function maskFrom(tensor: TensorRef, options: MaskFromOptions = {}): Mask {
  checkTensorRef('maskFrom', 'the mask tensor', tensor);
  checkOptions('maskFrom', options, ['skipEmptyTiles']);
  const skip = options.skipEmptyTiles ?? false;
  checkBoolean('maskFrom', 'option "skipEmptyTiles"', skip);
  const rank = tensor.shape.length;
  if (rank !== 2 && rank !== 4) {
    throw new SpecError(
      'maskFrom: the mask tensor must be [queries, keys] or [batch, heads, queries, keys]',
      {
        tensor: tensor.name,
        expected: 'rank 2 or 4',
        actual: `rank ${rank}`,
      },
    );
  }
  const zero = constant(0, 'i32');
  const leading = rank === 4 ? [tensor.shape[0] === 1 ? zero : I.b, tensor.shape[1] === 1 ? zero : I.h] : [];
  const roles =
    rank === 4
      ? ([
          tensor.shape[0] === 1 ? 'one' : 'batch',
          tensor.shape[1] === 1 ? 'one' : 'heads',
          'queries',
          'keys',
        ] as const)
      : (['queries', 'keys'] as const);
  const value = tensor.at(...leading, I.q, I.k);
  const predicate = value.dtype === 'bool' ? value : value.ne(0);
  if (!skip)
    return makeMask(`maskFrom(${tensor.name})`, predicate, UNKNOWN_BLOCK_RULE, {
      roles: { [tensor.name]: roles },
    });
  // The tile table is the tensor pooled per block of the kernel's largest tile: a tile whose block
  // keeps no pair is empty; no tile is claimed full (the predicate runs in every other tile).
  const tilesName = `${tensor.name}.tiles`;
  const tiles = blockTableMask(
    BLOCK_TABLE_MULTIPLE,
    { name: tilesName, at: (row, column) => read(tilesName, [...leading, row, column], 'i32') },
    undefined,
    {},
  );
  return makeMask(
    `maskFrom(${tensor.name}, skipEmptyTiles)`,
    predicate,
    { empty: tiles.blockRule.empty, full: UNKNOWN_BLOCK_RULE.full },
    {
      roles: { [tensor.name]: roles },
      listsTiles: true,
      derived: [
        {
          name: tilesName,
          build: ({ tensor: bound }) => {
            const node = bound(tensor.name);
            if (node === undefined)
              throw new SpecError(`maskFrom: captured tensor "${tensor.name}" is not bound`, {
                tensor: tensor.name,
                expected: 'a node in inputs.tensors',
              });
            return maskTileTable(node, BLOCK_TABLE_MULTIPLE);
          },
        },
      ],
    },
  );
}
