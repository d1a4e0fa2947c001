import {
  broadcastTo,
  concat,
  constant,
  div,
  exp,
  full,
  gather,
  mapElements,
  matmul,
  max,
  mul,
  type Node,
  reshape,
  ShapeError,
  SpecError,
  slice,
  sub,
  sum,
  tensorRef,
  topk,
  variable,
  withLabel,
} from '@weft/ir';
import { applyAttention } from './apply-attention.js';
import { stingyBlockPositions, stingyLandmarkShift, stingyRopeAttrs } from './landmark-stingy-positions.js';
import { perQueryHead, staticShape4 } from './masks/block-pooling.js';
import { maskFrom } from './masks/mask-from.js';
import { EXCLUDED_SCORE } from './masks/top-k-keep.js';
import { rotate } from './op/decompose-attention.js';
import { attention } from './spec/attention-spec.js';
import type { Position } from './spec/positions.js';
import { checkOptions, checkSize, describeValue } from './spec/validate.js';

/** Options of {@link landmarkRetrieval}. */
export interface LandmarkRetrievalOptions {
  /** ℓ, the regular tokens per block; each block of the cache is ℓ + 1 slots, its landmark last. */
  readonly blockSize: number;
  /** Blocks retrieved per head (`mem_top_k`; fewer where fewer previous blocks exist). */
  readonly topK: number;
  /** Prefix of the step's labels and of its mask tensor's name. Default `landmarkRetrieval`. */
  readonly name?: string;
  /**
   * A 1-D `rope()`: the cache holds keys before RoPE, and the op rotates them at the paper's
   * "stingy" positions (see `landmarkRetrieval`); the query comes rotated at its own
   * position. Without it the keys are used as stored (rotated when written, or no positions).
   */
  readonly stingyRope?: Position;
}

/** The tensors {@link landmarkRetrieval} reads. */
export interface LandmarkRetrievalInputs {
  /** The step's query `[B, H, 1, d]` (one token per step). */
  readonly query: Node;
  /**
   * The key cache `[B, Hkv, C, d]`, slot = position, C a multiple of ℓ + 1: slot g(ℓ + 1) + ℓ
   * holds block g's landmark key; slots after `position` are never read.
   */
  readonly key: Node;
  /** The value cache `[B, Hkv, C, dv]`, laid out like the keys. */
  readonly value: Node;
  /** The query's position `[B]` i32 (its own key and value already written at that slot). */
  readonly position: Node;
}

/** What {@link landmarkRetrieval} builds. */
export interface LandmarkRetrieval {
  /** The attention output `[B, H, 1, dv]`. */
  readonly output: Node;
  /** Retrieved block indices `[B, H, K]` i32 (K = min(topK, C/(ℓ + 1))), by score; −1 marks none. */
  readonly selected: Node;
}

/**
 * One decode step of Landmark Attention's inference form (Mohtashami & Jaggi 2023, catalog #66),
 * all on the device. Per query head, the query scores the landmark keys of the cache's complete
 * previous blocks (q·k_λg/√d; blocks g < c, c = ⌊position/(ℓ + 1)⌋ the query's own block), `topk`
 * keeps the K best, and two gathers copy those K blocks (ℓ + 1 slots each, landmark included) and
 * the current block into a compact key/value set of (K + 1)(ℓ + 1) rows per head. Then the paper's
 * gating, p^top over the retrieved landmarks and the current block's tokens up to the query, times
 * the softmax within each retrieved block, in its log-sum-exp form: one fused softmax kernel treats
 * each of the K + 1 view blocks as a head (the within-block softmax over its regular tokens, o_v,
 * with its lse_v), and the top level is a softmax over the gate logits s_λv (retrieved blocks) and
 * lse_K (the current block's mass), out = Σ_v softmax(gates)_v · o_v. This equals the training
 * form's grouped softmax over the compact set (exp(s_j − L) = exp(lse_K − L)·softmax_K(s)_j), the
 * gating the reference inference code uses (epfml/landmark-attention, `llama/llama_mem.py`,
 * `LlamaAttention.forward` with `mem_freq` and `cache_top_k`: per head and per token, `topk` over
 * `q·mem_key`, then `landmark_grouped_softmax` over the selected blocks and the incomplete last
 * block), not a plain softmax over the retrieved
 * tokens. The step reads O(C/(ℓ + 1)) landmark keys and O(K·ℓ) keys, not the whole cache.
 *
 * By default the keys are used as stored (rotated when written at their own positions, or none).
 * With `stingyRope` the cache holds keys before RoPE and the op rotates them as the reference does
 * by default (its "stingy" placement, its `mem_pos` and `selected_indices`): the retrieved blocks sit in a
 * segment of K + 1 blocks just before the current block, the current block at its own positions.
 * Inserting landmark tokens into a generated stream is not part of this op. `@weft/models` runs it
 * in generation with the cache policy `landmark`.
 *
 * @throws SpecError when an option is out of range, the step has more than one query, or the
 * cache length is not a multiple of ℓ + 1; ShapeError when the tensors disagree.
 *
 * @example
 * ```ts
 * const query = input('q', [1, 4, 1, 64]);
 * const key = input('cache.key', [1, 4, 51 * 80, 64]);
 * const value = input('cache.value', [1, 4, 51 * 80, 64]);
 * const position = input('position', [1], 'i32');
 * const { output, selected } = landmarkRetrieval({ query, key, value, position }, { blockSize: 50, topK: 4 });
 * ```
 */
export function landmarkRetrieval(
  inputs: LandmarkRetrievalInputs,
  options: LandmarkRetrievalOptions,
): LandmarkRetrieval {
  const { blockSize, topK, name } = checkRetrievalOptions(options);
  const shapes = checkRetrievalShapes(inputs, blockSize);
  const { batch, heads, kvHeads, slots, headDim, valueDim } = shapes;
  const rope = options.stingyRope === undefined ? null : stingyRopeAttrs(options.stingyRope, headDim);
  const period = blockSize + 1;
  const blocks = slots / period;
  const kept = Math.min(topK, blocks);
  const views = kept + 1;
  const rows = views * period;
  const scale = 1 / Math.sqrt(headDim);
  const position = reshape(inputs.position, [batch, 1, 1, 1]);

  const retrieval = withLabel(`${name}.select`, () => {
    const stored = reshape(
      slice(
        reshape(inputs.key, [batch, kvHeads, blocks, period, headDim]),
        [0, 0, 0, blockSize, 0],
        [batch, kvHeads, blocks, period, headDim],
      ),
      [batch, kvHeads, blocks, headDim],
    );
    // Row g of `stored` is block g: rotated at g + the shift, its stingy landmark position.
    const landmarks =
      rope === null
        ? stored
        : rotate(stored, rope, constant(0, 'i32'), stingyLandmarkShift(position, blocks, kept, blockSize));
    // Scores of the complete previous blocks g < c; the others can never be kept.
    const scores = mapElements(
      [matmul(inputs.query, perQueryHead(landmarks, heads), { transposeB: true }), position],
      variable('i3', 'i32')
        .lt(variable('$1', 'i32').div(constant(period, 'i32')))
        .select(variable('$0', 'f32').mul(constant(scale)), constant(-EXCLUDED_SCORE)),
    );
    return topk(scores, kept).indices;
  });
  // Excluded blocks (g ≥ c) score −EXCLUDED_SCORE, below every complete block, so a pick is valid
  // exactly when it precedes the current block: only the indices are needed (one topk kernel).
  const valid = variable('$0', 'i32').lt(variable('$1', 'i32').div(constant(period, 'i32')));

  // Compact row (v, o) of a head: view block v < K is retrieved block indices[v], view block K the
  // current block c; o is the offset within the block. Kept: a valid retrieved block, or a slot of
  // the current block at or before the query; `regular` drops the landmark slot (offset ℓ), whose
  // value is never mixed in (a retrieved landmark enters as its block's gate; the current block's
  // own landmark, when it is the query, not at all).
  const layout = withLabel(`${name}.layout`, () => {
    const current = mapElements(
      [full(0, [batch, heads, 1, 1], 'i32'), position],
      variable('$1', 'i32').div(constant(period, 'i32')),
    );
    const viewBlocks = concat([retrieval, current], 3);
    const retrieved = concat(
      [
        mapElements([retrieval, position], valid.select(constant(1, 'i32'), constant(0, 'i32'))),
        full(1, [batch, heads, 1, 1], 'i32'),
      ],
      3,
    );
    const operands = [
      reshape(viewBlocks, [batch, heads, 1, kept + 1, 1]),
      reshape(retrieved, [batch, heads, 1, kept + 1, 1]),
      reshape(inputs.position, [batch, 1, 1, 1, 1]),
      full(0, [batch, heads, 1, kept + 1, period], 'i32'),
    ];
    const slot = variable('$0', 'i32').mul(constant(period, 'i32')).add(variable('i4', 'i32'));
    const flat = variable('i0', 'i32')
      .mul(constant(kvHeads, 'i32'))
      .add(variable('i1', 'i32').div(constant(heads / kvHeads, 'i32')))
      .mul(constant(slots, 'i32'))
      .add(slot.min(constant(slots - 1, 'i32')));
    const keep = variable('$1', 'i32')
      .gt(constant(0, 'i32'))
      .and(slot.le(variable('$2', 'i32')));
    const regular = keep.and(variable('i4', 'i32').lt(constant(blockSize, 'i32')));
    return {
      flat: reshape(mapElements(operands, flat), [batch, heads, rows]),
      regular: mapElements(operands, regular.select(constant(1, 'i32'), constant(0, 'i32'))),
      retrieved,
    };
  });
  const compact = (cache: Node, width: number) =>
    reshape(gather(reshape(cache, [batch * kvHeads * slots, width]), layout.flat, 0), [
      batch,
      heads * views,
      period,
      width,
    ]);
  // Row o of a view block is its offset: rotated at o + the block's first stingy position.
  const keys = withLabel(`${name}.keys`, () =>
    rope === null
      ? compact(inputs.key, headDim)
      : rotate(
          compact(inputs.key, headDim),
          rope,
          constant(0, 'i32'),
          stingyBlockPositions(retrieval, position, { heads, kept, blockSize }),
        ),
  );
  const values = withLabel(`${name}.values`, () => compact(inputs.value, valueDim));
  // Each view block is one "head" of a plain softmax over its regular tokens: the within-block
  // softmax of a retrieved block, the current block's tokens up to the query.
  const keepName = `${name}.keep`;
  const blockSoftmax = attention({
    heads: heads * views,
    headDim,
    valueDim,
    mask: maskFrom(tensorRef(keepName, [batch, heads * views, 1, period], 'i32')),
    outputs: { logSumExp: true },
    name,
  });
  const perBlock = applyAttention(blockSoftmax, {
    query: reshape(
      broadcastTo(reshape(inputs.query, [batch, heads, 1, 1, headDim]), [batch, heads, views, 1, headDim]),
      [batch, heads * views, 1, headDim],
    ),
    key: keys,
    value: values,
    tensors: { [keepName]: reshape(layout.regular, [batch, heads * views, 1, period]) },
  });
  // The top level: a softmax over the retrieved landmarks (s_λ) and the current block's tokens,
  // whose mass is exp(lse) of its block softmax; each view block's output weighs its gate.
  const output = withLabel(`${name}.gates`, () => {
    const landmarkKeys = reshape(
      slice(
        reshape(keys, [batch, heads, views, period, headDim]),
        [0, 0, 0, blockSize, 0],
        [batch, heads, views, period, headDim],
      ),
      [batch, heads, views, headDim],
    );
    // The query `[B, H, 1, d]` broadcasts over the view blocks as it is (a reshape of it would be
    // shared with other graphs, and take this label).
    const landmarkScores = sum(mul(inputs.query, landmarkKeys), -1);
    const lse = reshape(perBlock.logSumExp!, [batch, heads, views]);
    const logits = mapElements(
      [landmarkScores, lse, reshape(layout.retrieved, [batch, heads, views])],
      variable('i2', 'i32')
        .lt(constant(kept, 'i32'))
        .select(
          variable('$2', 'i32')
            .gt(constant(0, 'i32'))
            .select(variable('$0', 'f32').mul(constant(scale)), constant(-Infinity)),
          variable('$1', 'f32'),
        ),
    );
    const top = max(logits, -1, { keepDims: true });
    const weights = exp(sub(logits, top));
    const gates = div(weights, sum(weights, -1, { keepDims: true }));
    const blockOutputs = reshape(perBlock.output, [batch, heads, views, valueDim]);
    return reshape(sum(mul(reshape(gates, [batch, heads, views, 1]), blockOutputs), 2), [
      batch,
      heads,
      1,
      valueDim,
    ]);
  });
  const selected = mapElements(
    [reshape(retrieval, [batch, heads, kept]), reshape(inputs.position, [batch, 1, 1])],
    valid.select(variable('$0', 'i32'), constant(-1, 'i32')),
  );
  return { output, selected };
}

function checkRetrievalOptions(options: LandmarkRetrievalOptions) {
  checkOptions('landmarkRetrieval', options, ['blockSize', 'topK', 'name', 'stingyRope'], true);
  const blockSize = checkSize('landmarkRetrieval', 'option "blockSize"', options.blockSize);
  const topK = checkSize('landmarkRetrieval', 'option "topK"', options.topK);
  const name = options.name ?? 'landmarkRetrieval';
  if (typeof name !== 'string' || name === '')
    throw new SpecError('landmarkRetrieval: option "name" must be a non-empty string', {
      actual: describeValue(name),
    });
  return { blockSize, topK, name };
}

function checkRetrievalShapes(inputs: LandmarkRetrievalInputs, blockSize: number) {
  const [batch, heads, queries, headDim] = staticShape4('landmarkRetrieval', inputs.query, 'the query');
  const [keyBatch, kvHeads, slots, keyDim] = staticShape4('landmarkRetrieval', inputs.key, 'the key cache');
  const [valueBatch, valueHeads, valueSlots, valueDim] = staticShape4(
    'landmarkRetrieval',
    inputs.value,
    'the value cache',
  );
  if (queries !== 1)
    throw new SpecError('landmarkRetrieval: a decode step has one query per sequence', {
      tensor: 'query',
      dimension: 2,
      expected: 1,
      actual: queries,
    });
  const mismatch = (tensor: string, dimension: number, expected: number | string, actual: number) => {
    throw new ShapeError(`landmarkRetrieval: the ${tensor} does not match the query and key cache`, {
      tensor,
      dimension,
      expected,
      actual,
    });
  };
  if (keyBatch !== batch) mismatch('key cache', 0, batch, keyBatch);
  if (heads % kvHeads !== 0) mismatch('key cache', 1, `a divisor of ${heads}`, kvHeads);
  if (keyDim !== headDim) mismatch('key cache', 3, headDim, keyDim);
  if (valueBatch !== batch) mismatch('value cache', 0, batch, valueBatch);
  if (valueHeads !== kvHeads) mismatch('value cache', 1, kvHeads, valueHeads);
  if (valueSlots !== slots) mismatch('value cache', 2, slots, valueSlots);
  if (slots % (blockSize + 1) !== 0)
    throw new SpecError('landmarkRetrieval: the cache must hold whole blocks of ℓ + 1 slots', {
      tensor: 'key cache',
      dimension: 2,
      expected: `a multiple of ${blockSize + 1}`,
      actual: slots,
    });
  const position = inputs.position;
  if (position.dtype !== 'i32' || position.shape.length !== 1 || position.shape[0] !== batch)
    mismatch('position', 0, `[${batch}] i32`, Number(position.shape[0]));
  return { batch, heads, kvHeads, slots, headDim, valueDim };
}
