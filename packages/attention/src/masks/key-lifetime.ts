import { constant, type Expr, max, type Node, pad, read, reshape, SpecError, type TensorRef } from '@weft/ir';
import { BLOCK_BOUNDS as B, ATTENTION_INDICES as I } from '../spec/attention-variables.js';
import { checkBoolean, checkOptions, checkTensorRef } from '../spec/validate.js';
import { BLOCK_TABLE_MULTIPLE } from './block-table.js';
import { type Mask, makeMask, UNKNOWN_BLOCK_RULE } from './mask.js';

/** Options of {@link keyLifetime}. */
export interface KeyLifetimeOptions {
  /**
   * Pool the lifetimes into the largest lifetime of each block of 32 keys (graph ops on the device)
   * so the fused kernel skips every key tile whose keys all expired before the query tile's first
   * query (no K or V load). Default false: every tile runs the predicate.
   */
  readonly skipEmptyTiles?: boolean;
}

/**
 * A mask driven by per-key metadata: key k stays visible to queries q ≤ `lastQuery[b, h, k]`, its
 * last attending query (combine with `causal()` for the lower bound). `lastQuery`:
 * `[batch | 1, heads | 1, keys]` i32 (size-1 axes broadcast). Every score-driven eviction rule whose
 * keys never come back is of this form: a sliding window is `lastQuery[k] = k + w`, a kept key a
 * huge value, an evicted one `k − 1`. NAtS builds it with {@link natsKeyLifetimes}.
 *
 * @example
 * ```ts
 * const lastQuery = tensorRef('lastQuery', [1, 4, 256], 'i32');
 * attention({ heads: 4, headDim: 64, mask: and(causal(), keyLifetime(lastQuery, { skipEmptyTiles: true })) });
 * ```
 */
export function keyLifetime(lastQuery: TensorRef, options: KeyLifetimeOptions = {}): Mask {
  checkTensorRef('keyLifetime', 'the last-query tensor', lastQuery);
  checkOptions('keyLifetime', options, ['skipEmptyTiles']);
  const skip = options.skipEmptyTiles ?? false;
  checkBoolean('keyLifetime', 'option "skipEmptyTiles"', skip);
  if (lastQuery.shape.length !== 3)
    throw new SpecError('keyLifetime: the last-query tensor must be [batch, heads, keys]', {
      tensor: lastQuery.name,
      expected: 'rank 3',
      actual: `rank ${lastQuery.shape.length}`,
    });
  const zero = constant(0, 'i32');
  const leading = [lastQuery.shape[0] === 1 ? zero : I.b, lastQuery.shape[1] === 1 ? zero : I.h];
  const roles = {
    [lastQuery.name]: [
      lastQuery.shape[0] === 1 ? 'one' : 'batch',
      lastQuery.shape[1] === 1 ? 'one' : 'heads',
      'keys',
    ] as const,
  };
  const predicate = I.q.le(lastQuery.at(...leading, I.k));
  if (!skip) return makeMask(`keyLifetime(${lastQuery.name})`, predicate, UNKNOWN_BLOCK_RULE, { roles });
  // A tile inside one 32-key block is empty when the block's longest-lived key expired before the
  // tile's first query; a tile spanning blocks stays partial.
  const tilesName = `${lastQuery.name}.tiles`;
  const size = constant(BLOCK_TABLE_MULTIPLE, 'i32');
  const block = (index: Expr) => index.div(size);
  const longest = read(tilesName, [...leading, block(B.keyStart)], 'i32');
  const inOneBlock = block(B.keyStart).eq(block(B.keyEnd));
  return makeMask(
    `keyLifetime(${lastQuery.name}, skipEmptyTiles)`,
    predicate,
    { empty: inOneBlock.and(longest.lt(B.queryStart)), full: UNKNOWN_BLOCK_RULE.full },
    {
      roles,
      listsTiles: true,
      derived: [
        {
          name: tilesName,
          build: ({ tensor: bound }) => {
            const node = bound(lastQuery.name);
            if (node === undefined)
              throw new SpecError(`keyLifetime: captured tensor "${lastQuery.name}" is not bound`, {
                tensor: lastQuery.name,
                expected: 'a node in inputs.tensors',
              });
            return longestLifetimePerBlock(node, BLOCK_TABLE_MULTIPLE);
          },
        },
      ],
    },
  );
}

/**
 * The largest entry of each block of `size` keys: `lastQuery` `[…, keys]` i32 → `[…, ⌈keys/size⌉]`.
 * A partial last block is padded with −1 (a key no query sees).
 *
 * @example
 * ```ts
 * const longest = longestLifetimePerBlock(input('lastQuery', [1, 4, 100], 'i32'), 32); // [1, 4, 4]
 * ```
 */
export function longestLifetimePerBlock(lastQuery: Node, size: number): Node {
  const shape = lastQuery.shape.map((dim, axis) => {
    if (typeof dim === 'number') return dim;
    throw new SpecError('keyLifetime: the last-query tensor needs static sizes', {
      dimension: axis,
      expected: 'a static dim',
      actual: 'a symbolic dim',
    });
  });
  const keys = shape[shape.length - 1]!;
  const blocks = Math.ceil(keys / size);
  const lead = shape.slice(0, -1);
  const padded = pad(
    lastQuery,
    shape.map(() => 0),
    [...lead.map(() => 0), blocks * size - keys],
    -1,
  );
  return max(reshape(padded, [...lead, blocks, size]), [lead.length + 1]);
}
