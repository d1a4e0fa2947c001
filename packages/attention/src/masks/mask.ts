import { compileExpr, constant, type Expr, type Node } from '@weft/ir';
import { ATTENTION_INDICES, type AttentionIndices } from '../spec/attention-variables.js';
import { type AxisRole, type TensorUse, tensorUses } from '../spec/tensor-use.js';
import { genuinePart } from '../spec/validate.js';

/** How a (query block, key block) pair relates to a mask: no pair kept, every pair kept, or some. */
export type BlockClass = 'empty' | 'full' | 'partial';

/** Sizes of the query and key blocks of a tiling. */
export interface BlockSizes {
  /** Queries per block. */
  readonly query: number;
  /** Keys per block. */
  readonly key: number;
}

/** Sequence lengths of one attention call. */
export interface SequenceLengths {
  /** Number of queries. */
  readonly queries: number;
  /** Number of keys. */
  readonly keys: number;
}

/**
 * Where a block question is asked: batch and head (default 0), and the values of tensors the mask
 * reads. Without `read`, masks that read tensors answer `partial` (always safe).
 */
export interface BlockQuery {
  /** Batch index. */
  readonly batch?: number;
  /** Query head index. */
  readonly head?: number;
  /** Key head of the query head (`kvHead`; default 0, the key head of query head 0). */
  readonly kvHead?: number;
  /** Value head of the query head (`valueHead`; default 0). */
  readonly valueHead?: number;
  /** Element `index` of captured tensor `tensor`. */
  readonly read?: (tensor: string, index: readonly number[]) => number;
}

/**
 * A block rule: two bool Exprs over the block bounds (`queryStart`, `queryEnd`, `keyStart`,
 * `keyEnd`, inclusive), `b`, `h` and the lengths. `empty` true means no pair of the block is
 * kept; `full` true means every pair is. Both false (partial) is always correct.
 */
export interface BlockRule {
  /** True when the block certainly keeps no pair. */
  readonly empty: Expr;
  /** True when the block certainly keeps every pair. */
  readonly full: Expr;
}

/**
 * A tensor a mask reads that the mask computes itself from the attention's query and key (MoBA's
 * block table): `applyAttention` builds it with graph ops before the attention node, unless
 * `inputs.tensors` binds the name.
 */
export interface DerivedTensor {
  /** Name the mask reads it under. */
  readonly name: string;
  /**
   * Its graph, from the attention's query `[batch, heads, queries, d]` and key
   * `[batch, kvHeads, keys, d]`, and the tensors bound by name (`tensor(name)`: the bound node, or
   * undefined).
   */
  build(inputs: {
    readonly query: Node;
    readonly key: Node;
    readonly tensor: (name: string) => Node | undefined;
  }): Node;
}

/**
 * An attention mask: a predicate over (batch, head, query, key) that keeps a pair when true,
 * with a block rule the fused kernel evaluates to skip empty blocks and drop the predicate on
 * full ones. Build masks with the factories (`causal`, `slidingWindow`, ...) and combine them
 * with {@link and}, {@link or} and {@link not}.
 */
export interface Mask {
  /** Discriminant. */
  readonly kind: 'mask';
  /** Short description, e.g. `and(causal(bottom-right), slidingWindow(128))`. */
  readonly description: string;
  /** The keep predicate (bool Expr over `b`, `h`, `q`, `k`, the lengths and captured tensors). */
  readonly predicate: Expr;
  /** The analytic block rule (see {@link BlockRule}). */
  readonly blockRule: BlockRule;
  /** Tensors the predicate or block rule reads. */
  readonly tensors: readonly TensorUse[];
  /** Tensors among `tensors` that the mask builds itself from the query and key (see {@link DerivedTensor}). */
  readonly derived: readonly DerivedTensor[];
  /**
   * The block rule reads a table that may call most tiles empty (block tables): the fused kernel
   * classifies every key tile before its loop and visits only the non-empty ones.
   */
  readonly listsTiles: boolean;
  /**
   * Classifies the pair (query block `queryBlock`, key block `keyBlock`) of a tiling with
   * `blockSizes` for sequences of `lengths`. Built-in masks answer from their block rule;
   * custom predicates are evaluated over the block and the answer cached.
   */
  blockSparsity(
    queryBlock: number,
    keyBlock: number,
    blockSizes: BlockSizes,
    lengths: SequenceLengths,
    where?: BlockQuery,
  ): BlockClass;
}

const NEVER = constant(0, 'bool');

/** The block rule that knows nothing: every block is partial. */
export const UNKNOWN_BLOCK_RULE: BlockRule = Object.freeze({ empty: NEVER, full: NEVER });

/** Options of {@link makeMask}. */
export interface MakeMaskOptions {
  /** Answer block questions by evaluating the predicate on every pair of the block (cached). */
  readonly exhaustive?: boolean;
  /** Required axis sizes of the tensors the mask reads, by name. */
  readonly roles?: Readonly<Record<string, readonly AxisRole[]>>;
  /** Tensor uses of the parts of a combined mask (keeps their roles and derived tensors). */
  readonly parts?: readonly Mask[];
  /** Tensors the mask builds itself (see {@link DerivedTensor}). */
  readonly derived?: readonly DerivedTensor[];
  /** See {@link Mask.listsTiles} (default: whether a part lists its tiles). */
  readonly listsTiles?: boolean;
}

/** Builds a mask from its predicate and block rule. */
export function makeMask(
  description: string,
  predicate: Expr,
  blockRule: BlockRule,
  options: MakeMaskOptions = {},
): Mask {
  const exhaustive = options.exhaustive ?? false;
  const roles = Object.fromEntries(
    (options.parts ?? []).flatMap((part) =>
      part.tensors.flatMap((use) => (use.roles === undefined ? [] : [[use.name, use.roles]])),
    ),
  );
  const tensors = tensorUses([predicate, blockRule.empty, blockRule.full], { ...roles, ...options.roles });
  const derived = [
    ...(options.parts ?? []).flatMap((part) => part.derived),
    ...(options.derived ?? []),
  ].filter((entry, index, all) => all.findIndex((other) => other.name === entry.name) === index);
  const rule = { empty: compileExpr(blockRule.empty), full: compileExpr(blockRule.full) };
  const keep = compileExpr(predicate);
  const cache = new Map<string, BlockClass>();
  return genuinePart(
    Object.freeze({
      kind: 'mask',
      description,
      predicate,
      blockRule,
      tensors,
      derived,
      listsTiles: options.listsTiles ?? (options.parts ?? []).some((part) => part.listsTiles),
      blockSparsity(queryBlock, keyBlock, blockSizes, lengths, where = {}) {
        const bounds = blockBounds(queryBlock, keyBlock, blockSizes, lengths);
        if (bounds === undefined) return 'empty';
        if (tensors.length > 0 && where.read === undefined) return 'partial';
        const variables = {
          ...bounds,
          b: where.batch ?? 0,
          h: where.head ?? 0,
          kvHead: where.kvHead ?? 0,
          valueHead: where.valueHead ?? 0,
          queryLength: lengths.queries,
          keyLength: lengths.keys,
        };
        const env = { variables, ...(where.read === undefined ? {} : { read: where.read }) };
        if (!exhaustive) {
          if (rule.empty(env) !== 0) return 'empty';
          return rule.full(env) !== 0 ? 'full' : 'partial';
        }
        const key = `${JSON.stringify(variables)}`;
        const cached = tensors.length === 0 ? cache.get(key) : undefined;
        if (cached !== undefined) return cached;
        const answer = evaluateBlock(keep, variables, env.read);
        if (tensors.length === 0) cache.set(key, answer);
        return answer;
      },
    } satisfies Mask),
  );
}

/** A mask from a predicate written over the attention indices. */
export function predicateOf(build: (indices: AttentionIndices) => Expr): Expr {
  return build(ATTENTION_INDICES);
}

// ---------------------------------------------------------------------------------------------
// Implementation

function blockBounds(queryBlock: number, keyBlock: number, sizes: BlockSizes, lengths: SequenceLengths) {
  const queryStart = queryBlock * sizes.query;
  const keyStart = keyBlock * sizes.key;
  if (queryStart >= lengths.queries || keyStart >= lengths.keys) return undefined;
  return {
    queryStart,
    queryEnd: Math.min(queryStart + sizes.query, lengths.queries) - 1,
    keyStart,
    keyEnd: Math.min(keyStart + sizes.key, lengths.keys) - 1,
  };
}

function evaluateBlock(
  keep: ReturnType<typeof compileExpr>,
  variables: Record<string, number>,
  read: BlockQuery['read'],
): BlockClass {
  let kept = 0;
  let total = 0;
  for (let q = variables.queryStart!; q <= variables.queryEnd!; q++) {
    for (let k = variables.keyStart!; k <= variables.keyEnd!; k++) {
      total++;
      if (keep({ variables: { ...variables, q, k }, ...(read === undefined ? {} : { read }) }) !== 0) kept++;
    }
  }
  return kept === 0 ? 'empty' : kept === total ? 'full' : 'partial';
}
