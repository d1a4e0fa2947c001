import { constant, type Expr, SpecError, type TensorRef } from '@weft/ir';
import { BLOCK_BOUNDS as B, ATTENTION_INDICES as I } from '../spec/attention-variables.js';
import { checkBoolean, checkOptions, checkTensorRef } from '../spec/validate.js';
import { type Mask, makeMask, UNKNOWN_BLOCK_RULE } from './mask.js';
import { type AlignmentOptions, alignment, I32_MAX, i32Size, offset, positiveInteger } from './mask-sizes.js';

export type { AlignmentOptions, CausalAlignment } from './mask-sizes.js';

/**
 * Causal mask: query at position p keeps keys k ≤ p, with p = q (top-left) or q + Nk − Nq (bottom-right).
 *
 * @example
 * ```ts
 * attention({ heads: 8, headDim: 64, mask: causal() });
 * ```
 */
export function causal(options: AlignmentOptions = {}): Mask {
  const align = alignment(options, 'causal');
  const o = offset(align);
  return makeMask(`causal(${align})`, I.k.le(I.q.add(o)), {
    empty: B.keyStart.gt(B.queryEnd.add(o)),
    full: B.keyEnd.le(B.queryStart.add(o)),
  });
}

/**
 * Causal sliding window of `window` keys *including the query itself*: keeps p − window < k ≤ p
 * (Mistral and ONNX Runtime count this way; some code uses window + 1).
 *
 * @example
 * ```ts
 * attention({ heads: 8, headDim: 64, mask: slidingWindow(4096) }); // each query sees itself and the 4095 keys before it
 * ```
 */
export function slidingWindow(requested: number, options: AlignmentOptions = {}): Mask {
  const window = i32Size(requested, 'slidingWindow', 'window');
  const align = alignment(options, 'slidingWindow');
  const o = offset(align);
  const position = I.q.add(o);
  return makeMask(
    `slidingWindow(${window}, ${align})`,
    I.k.le(position).and(position.sub(I.k).lt(constant(window, 'i32'))),
    {
      empty: B.keyStart
        .gt(B.queryEnd.add(o))
        .or(B.queryStart.add(o).sub(B.keyEnd).ge(constant(window, 'i32'))),
      full: B.keyEnd
        .le(B.queryStart.add(o))
        .and(B.queryEnd.add(o).sub(B.keyStart).lt(constant(window, 'i32'))),
    },
  );
}

/**
 * Prefix-LM: the first `prefix` keys are visible to every query, the rest causally (k < prefix or k ≤ p).
 *
 * @example
 * ```ts
 * attention({ heads: 8, headDim: 64, mask: prefixLM(16) }); // every query sees the first 16 keys, the rest causally
 * ```
 */
export function prefixLM(requested: number, options: AlignmentOptions = {}): Mask {
  const prefix = i32Size(requested, 'prefixLM', 'prefix', 0);
  const align = alignment(options, 'prefixLM');
  const o = offset(align);
  const n = constant(prefix, 'i32');
  return makeMask(`prefixLM(${prefix}, ${align})`, I.k.lt(n).or(I.k.le(I.q.add(o))), {
    empty: B.keyStart.ge(n).and(B.keyStart.gt(B.queryEnd.add(o))),
    full: B.keyEnd.lt(n).or(B.keyEnd.le(B.queryStart.add(o))),
  });
}

/**
 * Chunked (block-diagonal) attention: query position p and key k see each other when they lie in
 * the same chunk of `size` positions (⌊p/size⌋ = ⌊k/size⌋). Combine with {@link causal} for
 * block-local causal attention (Llama 4's chunked attention, TransNormer's DiagAttention).
 *
 * @example
 * ```ts
 * attention({ heads: 8, headDim: 64, mask: and(causal(), chunked(256)) }); // causal inside chunks of 256 (Llama 4)
 * ```
 */
export function chunked(requested: number, options: AlignmentOptions = {}): Mask {
  const size = i32Size(requested, 'chunked', 'size');
  const align = alignment(options, 'chunked');
  const o = offset(align);
  const chunk = (index: Expr) => index.div(constant(size, 'i32'));
  return makeMask(`chunked(${size}, ${align})`, chunk(I.q.add(o)).eq(chunk(I.k)), {
    empty: chunk(B.queryEnd.add(o))
      .lt(chunk(B.keyStart))
      .or(chunk(B.queryStart.add(o)).gt(chunk(B.keyEnd))),
    full: chunk(B.queryStart.add(o))
      .eq(chunk(B.queryEnd.add(o)))
      .and(chunk(B.keyStart).eq(chunk(B.keyEnd)))
      .and(chunk(B.queryStart.add(o)).eq(chunk(B.keyStart))),
  });
}

/**
 * Overlapping chunks (TKL, Hofstätter et al. 2020, catalog #51): positions are split into chunks of
 * `size`; a query in chunk c = ⌊p/size⌋ sees the keys of its chunk extended by `overlap` on each side,
 * c·size − overlap ≤ k < (c + 1)·size + overlap (bidirectional). TKL contextualizes each extended
 * chunk of 50 (size 40, overlap 5) independently and keeps the 40 core outputs: for one attention
 * layer that is exactly this mask. With `overlap` 0 it is {@link chunked}.
 *
 * @example
 * ```ts
 * attention({ heads: 4, headDim: 64, mask: overlappingChunks(40, 5) }); // TKL's chunking
 * ```
 */
export function overlappingChunks(requested: number, overlap: number, options: AlignmentOptions = {}): Mask {
  const size = i32Size(requested, 'overlappingChunks', 'size');
  positiveInteger(overlap, 'overlappingChunks', 'overlap', 0);
  // Both bounds are compared as offsets from the chunk start, so no i32 sum can wrap.
  const before = Math.min(overlap, I32_MAX);
  const after = Math.min(size + overlap, I32_MAX);
  const align = alignment(options, 'overlappingChunks');
  const o = offset(align);
  const s = constant(size, 'i32');
  const chunkStart = (position: Expr) => position.div(s).mul(s);
  const inWindow = (key: Expr, start: Expr) =>
    key
      .sub(start)
      .ge(constant(-before, 'i32'))
      .and(key.sub(start).lt(constant(after, 'i32')));
  const firstStart = chunkStart(B.queryStart.add(o));
  const lastStart = chunkStart(B.queryEnd.add(o));
  return makeMask(`overlappingChunks(${size}, ${overlap}, ${align})`, inWindow(I.k, chunkStart(I.q.add(o))), {
    empty: B.keyEnd
      .sub(firstStart)
      .lt(constant(-before, 'i32'))
      .or(B.keyStart.sub(lastStart).ge(constant(after, 'i32'))),
    full: firstStart.eq(lastStart).and(inWindow(B.keyStart, firstStart)).and(inWindow(B.keyEnd, firstStart)),
  });
}

/**
 * Block-causal: key k is visible from query position p when ⌊k/size⌋ ≤ ⌊p/size⌋ (whole chunks at a time).
 *
 * @example
 * ```ts
 * attention({ heads: 8, headDim: 64, mask: blockCausal(64) }); // whole blocks of 64 see each other and every earlier block
 * ```
 */
export function blockCausal(requested: number, options: AlignmentOptions = {}): Mask {
  const size = i32Size(requested, 'blockCausal', 'size');
  const align = alignment(options, 'blockCausal');
  const o = offset(align);
  const chunk = (index: Expr) => index.div(constant(size, 'i32'));
  return makeMask(`blockCausal(${size}, ${align})`, chunk(I.k).le(chunk(I.q.add(o))), {
    empty: chunk(B.keyStart).gt(chunk(B.queryEnd.add(o))),
    full: chunk(B.keyEnd).le(chunk(B.queryStart.add(o))),
  });
}

/**
 * Sparse Transformer strided pattern (Child et al. 2019, catalog #53), causal: the union of the
 * local band p − stride < k ≤ p and the columns with (p − k) mod stride = 0.
 *
 * @example
 * ```ts
 * attention({ heads: 8, headDim: 64, mask: stridedSparse(128) }); // Sparse Transformer's strided pattern
 * ```
 */
export function stridedSparse(requested: number, options: AlignmentOptions = {}): Mask {
  const stride = i32Size(requested, 'stridedSparse', 'stride');
  const align = alignment(options, 'stridedSparse');
  const o = offset(align);
  const l = constant(stride, 'i32');
  const p = I.q.add(o);
  const predicate = I.k.le(p).and(
    p
      .sub(I.k)
      .lt(l)
      .or(p.sub(I.k).mod(l).eq(constant(0, 'i32'))),
  );
  return makeMask(`stridedSparse(${stride}, ${align})`, predicate, {
    empty: B.keyStart.gt(B.queryEnd.add(o)),
    full: B.keyEnd.le(B.queryStart.add(o)).and(B.queryEnd.add(o).sub(B.keyStart).lt(l)),
  });
}

/**
 * Sparse Transformer fixed pattern (catalog #53), causal: keys in the query's own block of
 * `stride` positions, plus the last `summary` positions of every block (k mod stride ≥ stride − summary).
 * The paper and OpenAI's code use `summary` = c columns (fairseq uses c + 1).
 *
 * @example
 * ```ts
 * attention({ heads: 8, headDim: 64, mask: fixedSparse(128, 8) }); // causal: its own block of 128, the last 8 of every block
 * ```
 */
export function fixedSparse(stride: number, summary: number, options: AlignmentOptions = {}): Mask {
  positiveInteger(stride, 'fixedSparse', 'stride');
  positiveInteger(summary, 'fixedSparse', 'summary');
  // k mod stride ≥ stride − summary has no equivalent smaller stride: reject what i32 cannot hold.
  if (stride > I32_MAX)
    throw new SpecError(`fixedSparse: stride must be at most ${I32_MAX} (i32 positions)`, {
      expected: `<= ${I32_MAX}`,
      actual: stride,
    });
  if (summary > stride)
    throw new SpecError('fixedSparse: summary must not exceed stride', {
      expected: `<= ${stride}`,
      actual: summary,
    });
  const align = alignment(options, 'fixedSparse');
  const o = offset(align);
  const l = constant(stride, 'i32');
  const p = I.q.add(o);
  const sameBlock = I.k.div(l).eq(p.div(l));
  const summaryColumn = I.k.mod(l).ge(constant(stride - summary, 'i32'));
  return makeMask(
    `fixedSparse(${stride}, ${summary}, ${align})`,
    I.k.le(p).and(sameBlock.or(summaryColumn)),
    {
      empty: B.keyStart.gt(B.queryEnd.add(o)),
      full: B.keyEnd
        .le(B.queryStart.add(o))
        .and(B.queryStart.add(o).div(l).eq(B.keyStart.div(l)))
        .and(B.queryEnd.add(o).div(l).eq(B.keyStart.div(l))),
    },
  );
}

/** Options of {@link documentMask}. */
export interface DocumentMaskOptions {
  /** Segment ids of the keys, `[batch, keys]` (default: the query segment ids; self-attention). */
  readonly keySegmentIds?: TensorRef;
  /**
   * The ids never decrease along the sequence (packed documents). Lets blocks be classified from
   * their first and last ids; wrong answers if the ids are not sorted. Default false.
   */
  readonly sorted?: boolean;
}

/**
 * Document (segment) mask for packed sequences: keeps pairs whose segment ids are equal. `segmentIds`: `[batch, queries]` i32.
 *
 * @example
 * ```ts
 * const segments = tensorRef('segments', [2, 512], 'i32'); // [batch, tokens]
 * attention({ heads: 8, headDim: 64, mask: and(causal(), documentMask(segments, { sorted: true })) });
 * ```
 */
export function documentMask(segmentIds: TensorRef, options: DocumentMaskOptions = {}): Mask {
  checkTensorRef('documentMask', 'the segment ids', segmentIds);
  checkOptions('documentMask', options, ['keySegmentIds', 'sorted']);
  if (options.keySegmentIds !== undefined)
    checkTensorRef('documentMask', 'option "keySegmentIds"', options.keySegmentIds);
  if (options.sorted !== undefined) checkBoolean('documentMask', 'option "sorted"', options.sorted);
  const keyIds = options.keySegmentIds ?? segmentIds;
  const predicate = segmentIds.at(I.b, I.q).eq(keyIds.at(I.b, I.k));
  const roles = {
    [segmentIds.name]: ['batch', 'queries'] as const,
    [keyIds.name]: ['batch', 'keys'] as const,
  };
  if (options.sorted !== true)
    return makeMask(`documentMask(${segmentIds.name})`, predicate, UNKNOWN_BLOCK_RULE, { roles });
  const first = segmentIds.at(I.b, B.queryStart);
  const last = segmentIds.at(I.b, B.queryEnd);
  const keyFirst = keyIds.at(I.b, B.keyStart);
  const keyLast = keyIds.at(I.b, B.keyEnd);
  return makeMask(
    `documentMask(${segmentIds.name}, sorted)`,
    predicate,
    {
      empty: last.lt(keyFirst).or(first.gt(keyLast)),
      full: first.eq(last).and(keyFirst.eq(keyLast)).and(first.eq(keyFirst)),
    },
    { roles },
  );
}

/**
 * Key padding: batch b keeps keys k < lengths[b]. `lengths`: `[batch]` i32.
 *
 * @example
 * ```ts
 * const lengths = tensorRef('lengths', [4], 'i32'); // batch b keeps keys k < lengths[b]
 * attention({ heads: 8, headDim: 64, mask: keyPadding(lengths) });
 * ```
 */
export function keyPadding(lengths: TensorRef): Mask {
  checkTensorRef('keyPadding', 'the lengths', lengths);
  const length = lengths.at(I.b);
  return makeMask(
    `keyPadding(${lengths.name})`,
    I.k.lt(length),
    { empty: B.keyStart.ge(length), full: B.keyEnd.lt(length) },
    { roles: { [lengths.name]: ['batch'] } },
  );
}

/** Options of {@link keySelection}. */
export interface KeySelectionOptions {
  /** The first `prefix` keys are always kept, selected or not (iFAM's CLS and register tokens). Default 0. */
  readonly prefix?: number;
}

/**
 * A per-sample key selection (iFAM, Aniraj et al., catalog #84): every query of sample b keeps key k
 * where `selected[b, k]` is non-zero, M_ij = m_j, plus the first `prefix` keys. `selected`:
 * `[batch | 1, keys]` (any dtype; i32 0/1 as iFAM's binary part selection). Unlike
 * {@link keyPadding} the kept keys need not form a prefix. A row with no kept key outputs 0.
 *
 * @example
 * ```ts
 * const batch = 2;
 * // 1 CLS + 4 registers always kept, patches by the stage-1 selection m.
 * attention({ heads: 6, headDim: 64, mask: keySelection(tensorRef('m', [batch, 1 + 4 + 196], 'i32'), { prefix: 5 }) });
 * ```
 */
export function keySelection(selected: TensorRef, options: KeySelectionOptions = {}): Mask {
  checkTensorRef('keySelection', 'the selection', selected);
  checkOptions('keySelection', options, ['prefix']);
  if (selected.shape.length !== 2)
    throw new SpecError('keySelection: the selection must be [batch, keys]', {
      tensor: selected.name,
      expected: 'rank 2',
      actual: `rank ${selected.shape.length}`,
    });
  const prefix = i32Size(options.prefix ?? 0, 'keySelection', 'prefix', 0);
  const batchAxis = selected.shape[0] === 1 ? 'one' : 'batch';
  const value = selected.at(batchAxis === 'one' ? constant(0, 'i32') : I.b, I.k);
  const picked = value.dtype === 'bool' ? value : value.ne(0);
  const inPrefix = I.k.lt(constant(prefix, 'i32'));
  return makeMask(
    `keySelection(${selected.name}, prefix ${prefix})`,
    prefix === 0 ? picked : inPrefix.or(picked),
    // Which keys are selected is known only on the device: tiles past the prefix stay partial.
    { empty: UNKNOWN_BLOCK_RULE.empty, full: B.keyEnd.lt(constant(prefix, 'i32')) },
    { roles: { [selected.name]: [batchAxis, 'keys'] } },
  );
}
