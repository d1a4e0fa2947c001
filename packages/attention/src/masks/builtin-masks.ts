import { constant, type Expr, SpecError, type TensorRef } from '@weft/ir';
import {
  type AttentionIndices,
  BLOCK_BOUNDS as B,
  ATTENTION_INDICES as I,
} from '../spec/attention-variables.js';
import { checkBoolean, checkOptions, checkTensorRef, describeValue } from '../spec/validate.js';
import { type Mask, makeMask, UNKNOWN_BLOCK_RULE } from './mask.js';

/**
 * Where the causal diagonal sits when there are fewer queries than keys. `bottom-right` (default):
 * query i is the last of the sequence minus (Nq − 1 − i), as in decoding with a KV cache
 * (FlashAttention ≥ 2.1, FlexAttention). `top-left`: query i sees keys 0..i (ONNX Runtime, PyTorch SDPA).
 */
export type CausalAlignment = 'top-left' | 'bottom-right';

/** Options of the positional masks. */
export interface AlignmentOptions {
  /** Diagonal alignment (default `bottom-right`); identical when Nq = Nk. */
  readonly align?: CausalAlignment;
}

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

/** Prefix-LM: the first `prefix` keys are visible to every query, the rest causally (k < prefix or k ≤ p). */
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

/** Block-causal: key k is visible from query position p when ⌊k/size⌋ ≤ ⌊p/size⌋ (whole chunks at a time). */
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

/** Document (segment) mask for packed sequences: keeps pairs whose segment ids are equal. `segmentIds`: `[batch, queries]` i32. */
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

/** Key padding: batch b keeps keys k < lengths[b]. `lengths`: `[batch]` i32. */
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

/**
 * A mask read from a tensor: keeps (b, h, q, k) where `tensor` is non-zero. `tensor`: `[queries, keys]`
 * or `[batch | 1, heads | 1, queries, keys]` (size-1 axes broadcast).
 */
export function maskFrom(tensor: TensorRef): Mask {
  checkTensorRef('maskFrom', 'the mask tensor', tensor);
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
  return makeMask(`maskFrom(${tensor.name})`, predicate, UNKNOWN_BLOCK_RULE, {
    roles: { [tensor.name]: roles },
  });
}

/**
 * A custom mask from a bool Expr over the attention indices (it may read captured tensors). Its
 * blocks are classified by evaluating it on every pair (cached); the fused kernel evaluates it on
 * every pair of every block.
 *
 * @example
 * ```ts
 * customMask(({ q, k }) => q.sub(k).mod(3).eq(0)); // every third diagonal
 * ```
 */
export function customMask(build: (indices: AttentionIndices) => Expr, description = 'customMask'): Mask {
  if (typeof build !== 'function')
    throw new SpecError(`customMask: the predicate must be a function`, {
      actual: describeValue(build),
    });
  if (typeof description !== 'string')
    throw new SpecError(`customMask: the description must be a string`, {
      actual: describeValue(description),
    });
  const predicate = build(I) as Expr | undefined;
  if (
    typeof predicate !== 'object' ||
    predicate === null ||
    !('dtype' in predicate) ||
    !('kind' in predicate)
  ) {
    throw new SpecError(`${description}: the mask function must return a bool Expr (a comparison)`, {
      expected: 'a bool Expr, e.g. k.le(q)',
      actual: predicate === undefined ? 'undefined (did the function forget to return?)' : typeof predicate,
    });
  }
  if (predicate.dtype !== 'bool') {
    throw new SpecError('customMask: the predicate must be a bool Expr (a comparison)', {
      expected: 'bool',
      actual: predicate.dtype,
    });
  }
  return makeMask(description, predicate, UNKNOWN_BLOCK_RULE, { exhaustive: true });
}

function offset(align: 'top-left' | 'bottom-right'): Expr {
  return align === 'top-left' ? constant(0, 'i32') : I.keyLength.sub(I.queryLength);
}

function alignment(options: AlignmentOptions, mask: string): 'top-left' | 'bottom-right' {
  checkOptions(mask, options, ['align']);
  const align = options.align ?? 'bottom-right';
  if (align !== 'top-left' && align !== 'bottom-right') {
    throw new SpecError(`${mask}: unknown alignment`, {
      expected: "'top-left' | 'bottom-right'",
      actual: describeValue(align),
    });
  }
  return align;
}

/** The largest i32: masks compare i32 positions, which never reach it. */
const I32_MAX = 2_147_483_647;

/**
 * Checks a size option and clamps it to {@link I32_MAX}: positions and lengths are i32 below it, so
 * a window, prefix, chunk or stride that large already covers every position, as any larger one
 * (the i32 constant would otherwise wrap, e.g. `slidingWindow(2 ** 31)` to an empty window).
 */
function i32Size(value: number, mask: string, option: string, minimum = 1): number {
  positiveInteger(value, mask, option, minimum);
  return Math.min(value, I32_MAX);
}

function positiveInteger(value: number, mask: string, option: string, minimum = 1): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new SpecError(`${mask}: ${option} must be an integer >= ${minimum}`, {
      expected: `integer >= ${minimum}`,
      actual: describeValue(value),
    });
  }
}
